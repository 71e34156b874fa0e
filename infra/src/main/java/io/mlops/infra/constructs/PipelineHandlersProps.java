package io.mlops.infra.constructs;

import static io.mlops.contract.EnvNames.ARTIFACT_BUCKET;
import static io.mlops.contract.EnvNames.DATASET_PREFIX;
import static io.mlops.contract.EnvNames.DATA_BUCKET;
import static io.mlops.contract.EnvNames.GLUE_JOB_NAME;
import static io.mlops.contract.EnvNames.JOB_NAME_PREFIX;
import static io.mlops.contract.EnvNames.KMS_KEY_ARN;
import static io.mlops.contract.EnvNames.MODEL_PACKAGE_GROUP;
import static io.mlops.contract.EnvNames.SAGEMAKER_ROLE_ARN;
import io.mlops.contract.Handler;
import io.mlops.contract.RunPaths;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/** Properties of {@link PipelineHandlers}. */
public record PipelineHandlersProps(Code code, PipelineStorage storage, GlueEtlJob etlJob, SageMakerJobRole jobRole, ModelRegistry registry, String jobNamePrefix, RetentionDays logRetention, RemovalPolicy logRemoval, List<String> inferenceInstanceTypes, List<String> endpointNames) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private Code code;
        private PipelineStorage storage;
        private GlueEtlJob etlJob;
        private SageMakerJobRole jobRole;
        private ModelRegistry registry;
        private String jobNamePrefix;
        private RetentionDays logRetention;
        private RemovalPolicy logRemoval;
        private List<String> inferenceInstanceTypes;
        private List<String> endpointNames;

        /** Required. */
        public Builder code(Code v) { this.code = v; return this; }
        /** Required. */
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        /** Required. */
        public Builder etlJob(GlueEtlJob v) { this.etlJob = v; return this; }
        /** Required. */
        public Builder jobRole(SageMakerJobRole v) { this.jobRole = v; return this; }
        /** Required. */
        public Builder registry(ModelRegistry v) { this.registry = v; return this; }
        /** Required. */
        public Builder jobNamePrefix(String v) { this.jobNamePrefix = v; return this; }
        /** Required. */
        public Builder logRetention(RetentionDays v) { this.logRetention = v; return this; }
        /** Required. */
        public Builder logRemoval(RemovalPolicy v) { this.logRemoval = v; return this; }

        /** Required: the endpoints' instance types (DEV, PRD), the model package's supported realtime instance types. */
        public Builder inferenceInstanceTypes(List<String> v) { this.inferenceInstanceTypes = v; return this; }

        /** Required: the DEV and PRD endpoint names; VerifyEndpoint may describe them, their configs and models. */
        public Builder endpointNames(List<String> v) { this.endpointNames = v; return this; }

        public PipelineHandlersProps build() {
            return new PipelineHandlersProps(code, storage, etlJob, jobRole, registry, jobNamePrefix, logRetention, logRemoval, inferenceInstanceTypes, endpointNames);
        }
    }
}
