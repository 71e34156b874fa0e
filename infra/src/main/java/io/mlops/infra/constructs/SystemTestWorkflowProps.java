package io.mlops.infra.constructs;

import io.mlops.contract.Handler;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import software.constructs.Construct;

/** Properties of {@link SystemTestWorkflow}. Defaults: 3 retries, 5 s first interval, backoff 2, 15 min task timeout. */
public record SystemTestWorkflowProps(Code code, PipelineStorage storage, String endpointName, int maxAttempts, Duration retryInterval, Duration taskTimeout, RetentionDays logRetention, RemovalPolicy logRemoval) {

    public static SystemTestWorkflowProps of(Code code, PipelineStorage storage, String endpointName, RetentionDays logRetention,
            RemovalPolicy logRemoval) {
        return new SystemTestWorkflowProps(code, storage, endpointName, 3, Duration.seconds(5), Duration.minutes(15), logRetention, logRemoval);
    }
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private Code code;
        private PipelineStorage storage;
        private String endpointName;
        private int maxAttempts;
        private Duration retryInterval;
        private Duration taskTimeout;
        private RetentionDays logRetention;
        private RemovalPolicy logRemoval;

        /** Required. */
        public Builder code(Code v) { this.code = v; return this; }
        /** Required. */
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        /** Required. */
        public Builder endpointName(String v) { this.endpointName = v; return this; }
        /** Required. */
        public Builder maxAttempts(int v) { this.maxAttempts = v; return this; }
        /** Required. */
        public Builder retryInterval(Duration v) { this.retryInterval = v; return this; }
        /** Required. */
        public Builder taskTimeout(Duration v) { this.taskTimeout = v; return this; }
        /** Required. */
        public Builder logRetention(RetentionDays v) { this.logRetention = v; return this; }
        /** Required. */
        public Builder logRemoval(RemovalPolicy v) { this.logRemoval = v; return this; }

        public SystemTestWorkflowProps build() {
            return new SystemTestWorkflowProps(code, storage, endpointName, maxAttempts, retryInterval, taskTimeout, logRetention, logRemoval);
        }
    }
}
