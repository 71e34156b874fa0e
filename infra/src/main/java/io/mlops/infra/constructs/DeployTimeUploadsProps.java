package io.mlops.infra.constructs;

import io.mlops.contract.RunPaths;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import java.nio.file.Path;
import java.util.List;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.amazon.awscdk.services.s3.deployment.BucketDeployment;
import software.amazon.awscdk.services.s3.deployment.Source;
import software.constructs.Construct;
import software.constructs.IConstruct;

/** Properties of {@link DeployTimeUploads}. */
public record DeployTimeUploadsProps(PipelineStorage storage, Path datasetDirectory, String datasetFile, Path templatesDirectory, RetentionDays logRetention, RemovalPolicy logRemoval) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private PipelineStorage storage;
        private Path datasetDirectory;
        private String datasetFile;
        private Path templatesDirectory;
        private RetentionDays logRetention;
        private RemovalPolicy logRemoval;

        /** Required. */
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        /** Required. */
        public Builder datasetDirectory(Path v) { this.datasetDirectory = v; return this; }
        /** Required. */
        public Builder datasetFile(String v) { this.datasetFile = v; return this; }
        /** Required. */
        public Builder templatesDirectory(Path v) { this.templatesDirectory = v; return this; }
        /** Required. */
        public Builder logRetention(RetentionDays v) { this.logRetention = v; return this; }
        /** Required. */
        public Builder logRemoval(RemovalPolicy v) { this.logRemoval = v; return this; }

        public DeployTimeUploadsProps build() {
            return new DeployTimeUploadsProps(storage, datasetDirectory, datasetFile, templatesDirectory, logRetention, logRemoval);
        }
    }
}
