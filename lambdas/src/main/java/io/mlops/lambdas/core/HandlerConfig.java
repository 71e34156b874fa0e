package io.mlops.lambdas.core;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A handler's typed configuration ({@code C}, a record of the environment values it needs), read from
 * the function's environment and checked when a job first needs it, not when the container starts.
 *
 * <p>A missing or invalid variable must fail the job it is needed for with a message CodePipeline shows
 * (a {@link MissingEnvironmentException} becomes a ConfigurationError), never the Lambda init, which
 * CodePipeline would only see as an action timeout. So {@link #get()} reads and checks the configuration
 * on its first call and keeps it; a check that fails keeps nothing and fails again on the next call (the
 * environment of a function does not change while it runs).
 *
 * @param <C> the handler's config record
 */
public final class HandlerConfig<C> {
    private final Supplier<C> read;
    private volatile C value;

    private HandlerConfig(Supplier<C> read) {
        this.read = read;
    }

    /** The configuration {@code parse} reads from {@code env} (it throws for a missing or invalid variable). */
    public static <C> HandlerConfig<C> fromEnv(HandlerEnv env, Function<HandlerEnv, C> parse) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(parse, "parse");
        return new HandlerConfig<>(() -> parse.apply(env));
    }

    /** A configuration already read (tests, wiring). */
    public static <C> HandlerConfig<C> of(C config) {
        Objects.requireNonNull(config, "config");
        return new HandlerConfig<>(() -> config);
    }

    /** The configuration; throws the parse's exception, each time, while the environment is incomplete. */
    public C get() {
        C current = value;
        if (current == null) {
            current = Objects.requireNonNull(read.get(), "config");
            value = current;
        }
        return current;
    }
}
