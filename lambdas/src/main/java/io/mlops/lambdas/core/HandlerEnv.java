package io.mlops.lambdas.core;

import io.mlops.contract.EnvNames;
import java.util.Map;
import java.util.Optional;

/**
 * The only place the environment is read: each handler's config record (e.g. {@code LaunchEtlConfig})
 * reads its variables from here once, through {@link HandlerConfig}. The names are the contract
 * module's {@link EnvNames}, which the CDK construct that creates the functions uses too.
 */
public final class HandlerEnv {
    private final Map<String, String> values;

    public HandlerEnv(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static HandlerEnv fromSystem() {
        return new HandlerEnv(System.getenv());
    }

    /** A required variable; fails with the name and the fix when it is missing or blank. */
    public String require(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw MissingEnvironmentException.notSet(name);
        }
        return value.trim();
    }

    public Optional<String> optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String orDefault(String name, String fallback) {
        return optional(name).orElse(fallback);
    }
}
