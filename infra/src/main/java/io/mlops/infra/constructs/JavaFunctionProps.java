package io.mlops.infra.constructs;

import io.mlops.infra.validation.Suppress;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/** Properties of {@link JavaFunction}; {@code handler} is the fully-qualified RequestStreamHandler class. */
public record JavaFunctionProps(Code code, String handler, String description, int memoryMb, Duration timeout, Map<String, String> environment, IKey logKey, RetentionDays logRetention, RemovalPolicy logRemoval) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; defaults: 1024 MB, 60 s, no environment, 1-year log retention, logs retained. */
    public static final class Builder {
        private Code code;
        private String handler;
        private String description = "";
        private int memoryMb = 1024;
        private Duration timeout = Duration.seconds(60);
        private Map<String, String> environment = Map.of();
        private IKey logKey;
        private RetentionDays logRetention = RetentionDays.ONE_YEAR;
        private RemovalPolicy logRemoval = RemovalPolicy.RETAIN;

        public Builder code(Code v) { this.code = v; return this; }
        public Builder handler(String v) { this.handler = v; return this; }
        public Builder description(String v) { this.description = v; return this; }
        public Builder memoryMb(int v) { this.memoryMb = v; return this; }
        public Builder timeout(Duration v) { this.timeout = v; return this; }
        public Builder environment(Map<String, String> v) { this.environment = v; return this; }
        public Builder logKey(IKey v) { this.logKey = v; return this; }
        public Builder logRetention(RetentionDays v) { this.logRetention = v; return this; }
        public Builder logRemoval(RemovalPolicy v) { this.logRemoval = v; return this; }

        public JavaFunctionProps build() {
            if (code == null || handler == null || logKey == null) {
                throw new IllegalArgumentException("JavaFunction needs code, handler and logKey");
            }
            return new JavaFunctionProps(code, handler, description, memoryMb, timeout, environment, logKey, logRetention, logRemoval);
        }
    }
}
