package io.mlops.systemtests.scoring;

/** The caller may not invoke the endpoint (IAM): not worth retrying. */
public class EndpointAccessDeniedException extends EndpointUnavailableException {
    private static final long serialVersionUID = 1L;

    public EndpointAccessDeniedException(String kind, int status, String message, Throwable cause) {
        super(kind, status, message, cause);
    }
}
