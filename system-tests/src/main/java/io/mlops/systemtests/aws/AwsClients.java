package io.mlops.systemtests.aws;

import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerEnv;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * SDK clients for this module. The services the lambdas module already builds (S3, SageMaker, Glue,
 * CodePipeline) come from its {@link ClientFactory}; the others (SageMaker runtime, CloudFormation,
 * ECR, Step Functions) are configured the same way here: url-connection HTTP client, one region,
 * one credentials provider, and an optional endpoint override for tests (path-style S3 then).
 */
public final class AwsClients {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

    private final Region region;
    private final URI endpointOverride;
    private final AwsCredentialsProvider credentials;
    private final ClientFactory core;
    private SdkHttpClient httpClient;

    public AwsClients(Region region, URI endpointOverride, AwsCredentialsProvider credentials) {
        this.region = region;
        this.endpointOverride = endpointOverride;
        this.credentials = credentials;
        this.core = new ClientFactory(region, endpointOverride, credentials);
    }

    /** Lambda: region and credentials from the function's environment (as the lambdas' handlers do). */
    public static AwsClients forLambda(HandlerEnv env) {
        return new AwsClients(Region.of(env.require(HandlerEnv.AWS_REGION)), null,
                EnvironmentVariableCredentialsProvider.create());
    }

    /**
     * Command line: the caller's default credentials chain (env, profile, SSO, instance role) and
     * {@code region} or else the default region chain ({@code AWS_REGION}, profile).
     *
     * @throws IllegalArgumentException when no region is given or configured
     */
    public static AwsClients forCommandLine(Optional<String> region, Optional<URI> endpointOverride) {
        Region resolved;
        if (region.isPresent()) {
            resolved = Region.of(region.get());
        } else {
            try {
                resolved = DefaultAwsRegionProviderChain.builder().build().getRegion();
            } catch (SdkClientException e) {
                throw new IllegalArgumentException("no AWS region: pass --region (e.g. --region eu-west-1) "
                        + "or set AWS_REGION / a region in your AWS profile", e);
            }
        }
        return new AwsClients(resolved, endpointOverride.orElse(null), DefaultCredentialsProvider.builder().build());
    }

    /**
     * A client-side SDK failure in a sentence with the fix; missing credentials are the usual one
     * (the SDK's own message lists every provider it tried).
     */
    public static String explain(SdkClientException error) {
        String message = String.valueOf(error.getMessage());
        if (message.startsWith("Unable to load credentials")) {
            return "no AWS credentials found: run 'aws configure' or 'aws sso login' (with AWS_PROFILE set), "
                    + "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
        }
        return message;
    }

    public Region region() {
        return region;
    }

    public S3Client s3() {
        return core.s3();
    }

    public SageMakerClient sageMaker() {
        return core.sageMaker();
    }

    public GlueClient glue() {
        return core.glue();
    }

    public CodePipelineClient codePipeline() {
        return core.codePipeline();
    }

    /** SageMaker runtime with the SDK's standard retries (throttling, 5xx from SageMaker itself). */
    public SageMakerRuntimeClient sageMakerRuntime() {
        return configure(SageMakerRuntimeClient.builder()).build();
    }

    /**
     * SageMaker runtime without retries and with a per-attempt timeout: a load test must see
     * throttling and slow answers as they are, not hidden behind the SDK's retries.
     */
    public SageMakerRuntimeClient sageMakerRuntimeWithoutRetries(Duration timeout) {
        return configure(SageMakerRuntimeClient.builder())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .retryStrategy(b -> b.maxAttempts(1))
                        .apiCallAttemptTimeout(timeout)
                        .build())
                .build();
    }

    public CloudFormationClient cloudFormation() {
        return configure(CloudFormationClient.builder()).build();
    }

    public EcrClient ecr() {
        return configure(EcrClient.builder()).build();
    }

    public SfnClient stepFunctions() {
        return configure(SfnClient.builder()).build();
    }

    private synchronized SdkHttpClient httpClient() {
        if (httpClient == null) {
            httpClient = UrlConnectionHttpClient.builder()
                    .connectionTimeout(CONNECT_TIMEOUT)
                    .socketTimeout(SOCKET_TIMEOUT)
                    .build();
        }
        return httpClient;
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        builder.region(region).credentialsProvider(credentials).httpClient(httpClient());
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride);
        }
        return builder;
    }
}
