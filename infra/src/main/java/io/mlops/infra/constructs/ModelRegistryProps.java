package io.mlops.infra.constructs;

import io.mlops.contract.Handler;
import io.mlops.contract.Tags;
import io.mlops.infra.validation.Suppress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.customresources.Provider;
import io.mlops.infra.validation.NagIds;
import software.constructs.Construct;
import software.constructs.IConstruct;

/** Properties of {@link ModelRegistry}. */
public record ModelRegistryProps(String groupName, String description, boolean purgeOnDelete, Code handlerCode, IKey logKey, RetentionDays logRetention, RemovalPolicy logRemoval) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; defaults: keep versions on delete, 1-year logs. */
    public static final class Builder {
        private String groupName;
        private String description = "Models of the MLOps pipeline";
        private boolean purgeOnDelete;
        private Code handlerCode;
        private IKey logKey;
        private RetentionDays logRetention = RetentionDays.ONE_YEAR;
        private RemovalPolicy logRemoval = RemovalPolicy.RETAIN;

        public Builder groupName(String v) { this.groupName = v; return this; }
        public Builder description(String v) { this.description = v; return this; }
        public Builder purgeOnDelete(boolean v) { this.purgeOnDelete = v; return this; }
        public Builder handlerCode(Code v) { this.handlerCode = v; return this; }
        public Builder logKey(IKey v) { this.logKey = v; return this; }
        public Builder logRetention(RetentionDays v) { this.logRetention = v; return this; }
        public Builder logRemoval(RemovalPolicy v) { this.logRemoval = v; return this; }

        public ModelRegistryProps build() {
            return new ModelRegistryProps(groupName, description, purgeOnDelete, handlerCode, logKey, logRetention, logRemoval);
        }
    }
}
