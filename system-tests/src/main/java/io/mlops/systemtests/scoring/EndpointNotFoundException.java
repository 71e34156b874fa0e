package io.mlops.systemtests.scoring;

/** The endpoint does not exist (in this region, for this account): not worth retrying. */
public class EndpointNotFoundException extends EndpointUnavailableException {
    private static final long serialVersionUID = 1L;

    public EndpointNotFoundException(int status, String message, Throwable cause) {
        super("EndpointNotFound", status, message, cause);
    }
}
