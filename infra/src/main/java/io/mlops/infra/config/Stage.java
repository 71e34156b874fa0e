package io.mlops.infra.config;

import java.util.Locale;

/** The two endpoint stages. {@link #id()} names resources ({@code <project>-dev}), {@link #label()} is for people. */
public enum Stage {
    DEV,
    PRD;

    /** {@code dev} or {@code prd}: in endpoint and stack names and the {@code mlops:stage} tag. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code DEV} or {@code PRD}. */
    public String label() {
        return name();
    }

    /** PRD has data capture, autoscaling, blue/green deployment and alarms; DEV has none of them. */
    public boolean isProduction() {
        return this == PRD;
    }
}
