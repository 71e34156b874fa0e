package io.mlops.etl;

/**
 * A failure the person running the job can act on: the message names what was wrong, the value
 * received and the fix. Anything else that escapes the job is a bug and keeps its own type.
 */
public final class EtlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EtlException(String message) {
        super(message);
    }

    public EtlException(String message, Throwable cause) {
        super(message, cause);
    }
}
