package io.mlops.systemtests.scoring;

/**
 * The model could not be reached: endpoint missing, access denied, throttled after the SDK's
 * retries, connection refused, timed out. Not a verdict about the model: the endpoint test lets it
 * propagate (the state machine retries transient ones), the load test counts it under {@link #kind()}.
 */
public class EndpointUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final int status;

    /**
     * @param kind    short key for counting, e.g. {@code ThrottlingException} or {@code ConnectException}
     * @param status  HTTP status of the service's answer, or 0 when there was none
     * @param message what happened and what to do
     */
    public EndpointUnavailableException(String kind, int status, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    public String kind() {
        return kind;
    }

    public int status() {
        return status;
    }
}
