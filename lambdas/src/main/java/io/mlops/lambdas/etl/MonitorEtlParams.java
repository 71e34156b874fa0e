package io.mlops.lambdas.etl;

import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.UserParameters;
import java.util.regex.Pattern;

/**
 * UserParameters of the MonitorEtl action.
 *
 * @param executionId required: {@code #{codepipeline.PipelineExecutionId}}; locates the manifest and is
 *        checked against the run's {@code --execution-id} argument
 * @param jobRunId required: {@code #{EtlLaunch.JobRunId}}, the Glue run LaunchEtl started or reused
 */
public record MonitorEtlParams(String executionId, String jobRunId) implements UserParameters {
    /** Glue run ids look like {@code jr_<64 hex>}; we only insist on the documented prefix and sane characters. */
    static final Pattern JOB_RUN_ID = Pattern.compile("jr_[A-Za-z0-9_-]{1,255}");

    public MonitorEtlParams {
        executionId = executionId == null ? null : executionId.trim();
        jobRunId = jobRunId == null ? null : jobRunId.trim();
    }

    @Override
    public void validate() {
        LaunchEtlParams.requireExecutionId(executionId);
        String run = UserParameters.requireText(jobRunId, "jobRunId");
        if (!JOB_RUN_ID.matcher(run).matches()) {
            throw JobFailedException.configuration("user parameter 'jobRunId' must be a Glue job run id like "
                    + "jr_0123abcd...; received '" + run + "'. Wire it to the LaunchEtl action's output variable "
                    + "(#{EtlLaunch.JobRunId}).");
        }
    }
}
