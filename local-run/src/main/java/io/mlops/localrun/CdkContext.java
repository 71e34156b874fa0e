package io.mlops.localrun;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.Json;
import io.mlops.systemtests.cli.UsageException;
import io.mlops.systemtests.endpoint.EndpointTestSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The settings the local run takes from the repository's {@code cdk.json} {@code context}, so that each has one
 * owner: the infra deploys with the same values (io.mlops.infra.config.MlopsConfig reads them on AWS). Today the
 * endpoint check's minimum ROC AUC, which on AWS is the DEV system test's minimum.
 */
final class CdkContext {
    static final String FILE = "cdk.json";
    /** The DEV system test's minimum ROC AUC. */
    static final String MIN_ROC_AUC = "mlops:systemTest:minRocAuc";
    /** The same setting's former name, still read when {@link #MIN_ROC_AUC} is absent. */
    static final String MIN_ROC_AUC_FORMER = "mlops:thresholds:minRocAuc";
    /** The range the infra accepts for it (MlopsConfig): a model at or below chance never passes. */
    static final double MIN_ROC_AUC_LOWEST = 0.5;

    private CdkContext() {
    }

    /**
     * A value and where it came from.
     *
     * @param source e.g. {@code cdk.json mlops:systemTest:minRocAuc}, printed in the stage line
     */
    record Setting(double value, String source) {
        @Override
        public String toString() {
            return value + " from " + source;
        }
    }

    /**
     * The endpoint check's minimum ROC AUC: {@link #MIN_ROC_AUC} of {@code <repo>/cdk.json}'s context, else
     * {@link #MIN_ROC_AUC_FORMER}, else {@link EndpointTestSettings#DEFAULT_MIN_ROC_AUC} (also when there is no
     * cdk.json).
     *
     * @throws UsageException when cdk.json is not readable JSON or the value is not a number in [0.5, 1]
     */
    static Setting minRocAuc(Path repo) {
        Path file = repo.resolve(FILE);
        JsonNode context = context(file);
        for (String key : new String[] {MIN_ROC_AUC, MIN_ROC_AUC_FORMER}) {
            JsonNode value = context.get(key);
            if (value != null && !value.isNull()) {
                return new Setting(decimal(file, key, value), FILE + " " + key
                        + (key.equals(MIN_ROC_AUC) ? "" : " (former name of " + MIN_ROC_AUC + ")"));
            }
        }
        return new Setting(EndpointTestSettings.DEFAULT_MIN_ROC_AUC, "the default: " + file + " has neither "
                + MIN_ROC_AUC + " nor " + MIN_ROC_AUC_FORMER);
    }

    private static JsonNode context(Path file) {
        if (!Files.isRegularFile(file)) {
            return Json.EVENTS.createObjectNode();
        }
        JsonNode root;
        try {
            root = Json.EVENTS.readTree(file.toFile());
        } catch (IOException e) {
            throw new UsageException(file + " is not readable JSON (" + e.getMessage() + "); fix it: the local run reads "
                    + MIN_ROC_AUC + " from its \"context\"", e);
        }
        JsonNode context = root == null ? null : root.get("context");
        if (context == null || context.isNull()) {
            return Json.EVENTS.createObjectNode();
        }
        if (!context.isObject()) {
            throw new UsageException(file + ": \"context\" must be an object; received " + context);
        }
        return context;
    }

    /** A JSON number or a numeric string (the CDK passes {@code -c key=value} as a string), as MlopsConfig reads it. */
    private static double decimal(Path file, String key, JsonNode value) {
        double d = Double.NaN;
        if (value.isNumber()) {
            d = value.asDouble();
        } else if (value.isTextual()) {
            try {
                d = Double.parseDouble(value.asText().trim());
            } catch (NumberFormatException e) {
                d = Double.NaN;
            }
        }
        if (!(d >= MIN_ROC_AUC_LOWEST && d <= 1)) {
            throw new UsageException(String.format(Locale.ROOT, "%s: context %s must be a number between %s and 1, "
                    + "e.g. 0.75; received %s. Fix it in %s (the deployed DEV system test uses the same value)", file, key,
                    MIN_ROC_AUC_LOWEST, value, file));
        }
        return d;
    }
}
