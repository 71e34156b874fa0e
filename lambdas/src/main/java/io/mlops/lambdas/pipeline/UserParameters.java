package io.mlops.lambdas.pipeline;

/**
 * A handler's typed {@code UserParameters} (JSON in the action configuration). Implementations
 * are records bound strictly: unknown keys fail, so a typo in the pipeline definition is caught.
 */
public interface UserParameters {

    /** Checks required values; throws {@link JobFailedException#configuration} naming the key and the fix. */
    void validate();

    /** A required, non-blank text parameter whose CodePipeline variables have been resolved. */
    static String requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw JobFailedException.configuration("user parameter '" + key + "' is missing or blank. "
                    + "It is set in the action's UserParameters by the infra PipelineStack; redeploy the stack "
                    + "or add \"" + key + "\" to the action configuration.");
        }
        if (value.contains("#{")) {
            throw JobFailedException.configuration("user parameter '" + key + "' still holds an unresolved "
                    + "CodePipeline variable: '" + value + "'. Check that the producing action has that namespace "
                    + "and exports the variable, and that it runs earlier in the pipeline.");
        }
        return value.trim();
    }
}
