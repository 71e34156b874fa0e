package io.mlops.lambdas.pipeline;

import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.ExecutionDetails;
import software.amazon.awssdk.services.codepipeline.model.FailureDetails;
import software.amazon.awssdk.services.codepipeline.model.FailureType;

/** Reports a job's outcome to CodePipeline, within the API's field limits. */
public final class JobReporter {
    /** CodePipeline limits (API reference: ExecutionDetails, FailureDetails). */
    static final int MAX_SUMMARY = 2048;
    static final int MAX_FAILURE_MESSAGE = 5000;
    static final int MAX_EXTERNAL_ID = 1500;

    private final CodePipelineClient codePipeline;

    public JobReporter(CodePipelineClient codePipeline) {
        this.codePipeline = codePipeline;
    }

    public void succeeded(String jobId, JobOutcome.Succeeded outcome, String externalExecutionId) {
        codePipeline.putJobSuccessResult(r -> r.jobId(jobId)
                .executionDetails(details(outcome.summary(), externalExecutionId, 100))
                .outputVariables(outcome.outputVariables().isEmpty() ? null : outcome.outputVariables()));
    }

    public void inProgress(String jobId, JobOutcome.InProgress outcome, String externalExecutionId) {
        codePipeline.putJobSuccessResult(r -> r.jobId(jobId)
                .continuationToken(outcome.continuationToken())
                .executionDetails(details(outcome.summary(), externalExecutionId, null)));
    }

    public void failed(String jobId, FailureType type, String message, String externalExecutionId) {
        codePipeline.putJobFailureResult(r -> r.jobId(jobId)
                .failureDetails(FailureDetails.builder()
                        .type(type)
                        .message(truncate(message, MAX_FAILURE_MESSAGE))
                        .externalExecutionId(truncate(externalExecutionId, MAX_EXTERNAL_ID))
                        .build()));
    }

    private static ExecutionDetails details(String summary, String externalExecutionId, Integer percent) {
        return ExecutionDetails.builder()
                .summary(truncate(summary, MAX_SUMMARY))
                .externalExecutionId(truncate(externalExecutionId, MAX_EXTERNAL_ID))
                .percentComplete(percent)
                .build();
    }

    static String truncate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - 3) + "...";
    }
}
