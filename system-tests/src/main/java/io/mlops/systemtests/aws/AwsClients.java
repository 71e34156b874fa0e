package io.mlops.systemtests.aws;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerEnv;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryMode;
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
 * SDK clients for this module, all configured by the lambdas module's {@link ClientFactory}
 * (url-connection HTTP client, one region, one credentials provider, optional endpoint override for
 * tests): S3, SageMaker, Glue and CodePipeline exactly as the handlers build them; SageMaker runtime,
 * CloudFormation, ECR and Step Functions with a 70 s socket timeout (InvokeEndpoint: API Reference).
 */
public final class AwsClients {
    /**
     * Socket timeout of the other services' clients. A model container may take up to 60 s to answer
     * InvokeEndpoint; the API Reference recommends a 70 s socket timeout for models that take 50-60 s.
     */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(70);

    private final Region region;
    private final ClientFactory core;
    private final ClientFactory others;

    public AwsClients(Region region, URI endpointOverride, AwsCredentialsProvider credentials) {
        this.region = region;
        this.core = new ClientFactory(region, endpointOverride, credentials);
        this.others = new ClientFactory(region, endpointOverride, credentials, SOCKET_TIMEOUT);
    }

    /** Lambda: region and credentials from the function's environment (as the lambdas' handlers do). */
    public static AwsClients forLambda(HandlerEnv env) {
        return new AwsClients(Region.of(env.require(EnvNames.AWS_REGION)), null,
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
        return others.configure(SageMakerRuntimeClient.builder()).build();
    }

    /**
     * SageMaker runtime without retries and with a per-attempt timeout: a load test must see
     * throttling and slow answers as they are, not hidden behind the SDK's retries.
     */
    public SageMakerRuntimeClient sageMakerRuntimeWithoutRetries(Duration timeout) {
        return others.configure(SageMakerRuntimeClient.builder())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .retryStrategy(b -> b.maxAttempts(1))
                        .apiCallAttemptTimeout(timeout)
                        .build())
                .build();
    }

    public CloudFormationClient cloudFormation() {
        return others.configure(CloudFormationClient.builder()).build();
    }

    public EcrClient ecr() {
        return others.configure(EcrClient.builder()).build();
    }

    public SfnClient stepFunctions() {
        return others.configure(SfnClient.builder()).build();
    }
}
