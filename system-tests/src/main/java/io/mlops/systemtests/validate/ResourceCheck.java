package io.mlops.systemtests.validate;

/**
 * The state of one deployed resource as the caller's credentials see it.
 *
 * @param resource what it is, e.g. {@code artifact bucket}
 * @param name     its name or ARN (from the stack outputs)
 * @param status   what was found
 * @param detail   the evidence or the error and the fix
 * @param required false for resources that exist only later (the endpoints)
 */
public record ResourceCheck(String resource, String name, Status status, String detail, boolean required) {

    public enum Status {
        /** exists and is reachable */
        OK,
        /** does not exist */
        MISSING,
        /** the caller's credentials may not see it */
        DENIED,
        /** any other error (network, throttling, wrong region) */
        ERROR,
        /** an endpoint the pipeline has not deployed yet */
        NOT_DEPLOYED,
        /** exists but is not ready (creating, updating, failed) */
        NOT_READY
    }

    /** True when this check makes the command fail. */
    public boolean fails() {
        return switch (status) {
            case OK, NOT_DEPLOYED -> false;
            case NOT_READY -> required;
            case MISSING, DENIED, ERROR -> true;
        };
    }
}
