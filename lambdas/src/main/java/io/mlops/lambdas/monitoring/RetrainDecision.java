package io.mlops.lambdas.monitoring;

/**
 * What RetrainOnDrift decided for one alarm event.
 *
 * @param status {@code started} or {@code skipped}
 * @param pipelineExecutionId the execution started, or the one that made this event skip (may be null)
 * @param reason why, in words
 */
public record RetrainDecision(String status, String pipelineExecutionId, String reason) {
    public static final String STARTED = "started";
    public static final String SKIPPED = "skipped";
}
