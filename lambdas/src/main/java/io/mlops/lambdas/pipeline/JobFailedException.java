package io.mlops.lambdas.pipeline;

import software.amazon.awssdk.services.codepipeline.model.FailureType;

/**
 * A failure a person can act on. The message is what the CodePipeline console shows: say what
 * was wrong, where, the received value, and the fix.
 */
public class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final FailureType type;

    public JobFailedException(FailureType type, String message) {
        super(message);
        this.type = type;
    }

    public JobFailedException(FailureType type, String message, Throwable cause) {
        super(message, cause);
        this.type = type;
    }

    /** Wrong user parameters, run settings or environment: fix configuration, then retry. */
    public static JobFailedException configuration(String message) {
        return new JobFailedException(FailureType.CONFIGURATION_ERROR, message);
    }

    /** The work itself failed (job failed, quality gate not met). */
    public static JobFailedException jobFailed(String message) {
        return new JobFailedException(FailureType.JOB_FAILED, message);
    }

    /** A JobFailed failure caused by {@code cause} (kept for the log). */
    public static JobFailedException jobFailed(String message, Throwable cause) {
        return new JobFailedException(FailureType.JOB_FAILED, message, cause);
    }

    public FailureType type() {
        return type;
    }
}
