package io.mlops.infra.constructs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.glue.CfnJob;
import software.amazon.awscdk.services.glue.CfnSecurityConfiguration;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.assets.Asset;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import software.constructs.Construct;

/** Properties of {@link GlueEtlJob}. Defaults: G.1X × 2 workers, 60 min timeout, 3 concurrent runs. */
public record GlueEtlJobProps(String jobName, Path entryScript, PipelineStorage storage, String workerType, int numberOfWorkers, int timeoutMinutes, int maxConcurrentRuns) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with documented defaults. */
    public static final class Builder {
        private String jobName;
        private Path entryScript;
        private PipelineStorage storage;
        private String workerType = "G.1X";
        private int numberOfWorkers = 2;
        private int timeoutMinutes = 60;
        private int maxConcurrentRuns = 3;

        public Builder jobName(String v) { this.jobName = v; return this; }
        public Builder entryScript(Path v) { this.entryScript = v; return this; }
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        public Builder workerType(String v) { this.workerType = v; return this; }
        public Builder numberOfWorkers(int v) { this.numberOfWorkers = v; return this; }
        public Builder timeoutMinutes(int v) { this.timeoutMinutes = v; return this; }
        public Builder maxConcurrentRuns(int v) { this.maxConcurrentRuns = v; return this; }

        public GlueEtlJobProps build() {
            return new GlueEtlJobProps(jobName, entryScript, storage, workerType, numberOfWorkers, timeoutMinutes, maxConcurrentRuns);
        }
    }
}
