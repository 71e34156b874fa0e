package io.mlops.infra.constructs;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import software.constructs.Construct;

/** Properties of {@link SageMakerJobRole}. */
public record SageMakerJobRoleProps(SageMakerJobRole.Purpose purpose, PipelineStorage storage, IRepository repository, String dataCapturePrefix) {

    public static SageMakerJobRoleProps jobs(PipelineStorage storage, IRepository repository) {
        return new SageMakerJobRoleProps(SageMakerJobRole.Purpose.JOBS, storage, repository, null);
    }

    public static SageMakerJobRoleProps hosting(PipelineStorage storage, IRepository repository, String dataCapturePrefix) {
        return new SageMakerJobRoleProps(SageMakerJobRole.Purpose.HOSTING, storage, repository, dataCapturePrefix);
    }
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private SageMakerJobRole.Purpose purpose;
        private PipelineStorage storage;
        private IRepository repository;
        private String dataCapturePrefix;

        /** Required. */
        public Builder purpose(SageMakerJobRole.Purpose v) { this.purpose = v; return this; }
        /** Required. */
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        /** Required. */
        public Builder repository(IRepository v) { this.repository = v; return this; }
        /** Required. */
        public Builder dataCapturePrefix(String v) { this.dataCapturePrefix = v; return this; }

        public SageMakerJobRoleProps build() {
            return new SageMakerJobRoleProps(purpose, storage, repository, dataCapturePrefix);
        }
    }
}
