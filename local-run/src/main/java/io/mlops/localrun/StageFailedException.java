package io.mlops.localrun;

/**
 * A stage of the local run failed; the message says what went wrong (e.g. the ETL job's own error text),
 * and where its log is. The run stops and keeps its artifacts.
 */
public final class StageFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StageFailedException(String message) {
        super(message);
    }

    public StageFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
