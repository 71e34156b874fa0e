package io.mlops.lambdas.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The event CodePipeline sends to a Lambda invoke action, as documented in "Invoke an AWS Lambda
 * function in a pipeline" (key {@code CodePipeline.job}). Only the fields we use are modelled;
 * unknown fields are ignored.
 */
public record CodePipelineEvent(@JsonProperty("CodePipeline.job") Job job) {

    public record Job(String id, String accountId, Data data) {
    }

    public record Data(ActionConfiguration actionConfiguration, List<Artifact> inputArtifacts,
            List<Artifact> outputArtifacts, ArtifactCredentials artifactCredentials,
            String continuationToken, EncryptionKey encryptionKey) {
    }

    public record ActionConfiguration(Configuration configuration) {
    }

    public record Configuration(@JsonProperty("FunctionName") String functionName,
            @JsonProperty("UserParameters") String userParameters) {
    }

    public record Artifact(String name, String revision, Location location) {
    }

    public record Location(String type, S3Location s3Location) {
    }

    public record S3Location(String bucketName, String objectKey) {
    }

    public record ArtifactCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    }

    public record EncryptionKey(String id, String type) {
    }
}
