package io.mlops.lambdas.core;

/** A required environment variable is missing: a deployment problem, reported as a configuration error. */
public final class MissingEnvironmentException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public MissingEnvironmentException(String message) {
        super(message);
    }

    /** The variable {@code name} is missing or blank: says so, and how to fix it. */
    public static MissingEnvironmentException notSet(String name) {
        return new MissingEnvironmentException("environment variable " + name + " is not set on this function; "
                + "it is set by the infra construct PipelineHandlers - redeploy the stack (cdk deploy) "
                + "or set it on the function");
    }
}
