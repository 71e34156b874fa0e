package io.mlops.lambdas.core;

/** A required environment variable is missing: a deployment problem, reported as a configuration error. */
public final class MissingEnvironmentException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public MissingEnvironmentException(String message) {
        super(message);
    }
}
