package io.mlops.infra.constructs;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;

/** Properties of {@link EndpointDeployRole}: names are the endpoint names prefix (e.g. {@code mlops-}) so both stages match. */
public record EndpointDeployRoleProps(String endpointPrefix, SageMakerJobRole hostingRole, PipelineStorage storage, ModelRegistry registry) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private String endpointPrefix;
        private SageMakerJobRole hostingRole;
        private PipelineStorage storage;
        private ModelRegistry registry;

        /** Required. */
        public Builder endpointPrefix(String v) { this.endpointPrefix = v; return this; }
        /** Required. */
        public Builder hostingRole(SageMakerJobRole v) { this.hostingRole = v; return this; }
        /** Required. */
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        /** Required. */
        public Builder registry(ModelRegistry v) { this.registry = v; return this; }

        public EndpointDeployRoleProps build() {
            return new EndpointDeployRoleProps(endpointPrefix, hostingRole, storage, registry);
        }
    }
}
