package io.mlops.lambdas.core;

import io.mlops.contract.EnvNames;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/**
 * Builds every SDK client the handlers use, the same way in Lambda and in tests: the
 * url-connection HTTP client (small, fast cold start), the region from the environment, the
 * SDK's standard retries. Tests point {@code endpointOverride} at a local stub.
 */
public final class ClientFactory {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private final Region region;
    private final URI endpointOverride;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient httpClient;

    public ClientFactory(Region region, URI endpointOverride, AwsCredentialsProvider credentials) {
        this(region, endpointOverride, credentials, SOCKET_TIMEOUT);
    }

    /** With another socket (read) timeout than the default 30 s, e.g. for calls that may take a minute. */
    public ClientFactory(Region region, URI endpointOverride, AwsCredentialsProvider credentials, Duration socketTimeout) {
        this.region = region;
        this.endpointOverride = endpointOverride;
        this.credentials = credentials;
        this.httpClient = UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(socketTimeout)
                .build();
    }

    /** Lambda: region and credentials from the function's environment. */
    public static ClientFactory fromEnv(HandlerEnv env) {
        return new ClientFactory(Region.of(env.require(EnvNames.AWS_REGION)), null,
                EnvironmentVariableCredentialsProvider.create());
    }

    public CodePipelineClient codePipeline() {
        return configure(CodePipelineClient.builder(), credentials).build();
    }

    public SageMakerClient sageMaker() {
        return configure(SageMakerClient.builder(), credentials).build();
    }

    public GlueClient glue() {
        return configure(GlueClient.builder(), credentials).build();
    }

    public S3Client s3() {
        return s3(credentials);
    }

    /** S3 with other credentials, e.g. the temporary artifact credentials of a CodePipeline job. */
    public S3Client s3(AwsCredentialsProvider otherCredentials) {
        return configure(S3Client.builder(), otherCredentials)
                .forcePathStyle(endpointOverride != null)
                .build();
    }

    /**
     * Any other service's client builder, configured like the ones above (region, credentials, HTTP
     * client, endpoint override); the caller adds its own settings and builds it.
     */
    public <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        return configure(builder, credentials);
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder,
            AwsCredentialsProvider creds) {
        builder.region(region).credentialsProvider(creds).httpClient(httpClient);
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride);
        }
        return builder;
    }
}
