package io.mlops.contract;

/** Pipeline artifact names and the files the handlers read from them by default. */
public final class Artifacts {
    /** The source action's output artifact (the repository); the handlers' {@code sourceArtifact} default. */
    public static final String SOURCE_OUTPUT = "SourceOutput";
    /** The run settings file in the source artifact; the handlers' {@code settingsPath} default. */
    public static final String RUN_SETTINGS_PATH = "config/run-settings.json";

    private Artifacts() {
    }
}
