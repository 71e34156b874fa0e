package io.mlops.localrun;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One model version in the local registry ({@link LocalRegistry}): the local stand-in for a SageMaker model
 * package, with what the Evaluate handler records (status, metrics, gate outcome, dataset checksum, model data).
 *
 * @param group           the model package group, e.g. {@code bank-marketing}
 * @param version         1, 2, ... in the group
 * @param status          {@link #PENDING}, {@link #REJECTED} or {@link #APPROVED} (a person's decision: edit the file)
 * @param registeredAt    ISO-8601 UTC
 * @param runId           the local run that registered it
 * @param gate            the quality gate's decision
 * @param metrics         evaluate's metrics on the test split ({@code auc}, {@code pr_auc}, ... {@code threshold})
 * @param trainingMetrics {@code train}'s METRIC lines
 * @param hyperparameters as passed to {@code train}
 * @param dataset         what the model was trained on
 * @param artifacts       name to absolute path: model data ({@code model.tar.gz}), evaluation, ETL manifest, work folder
 */
public record RegistryEntry(String group, int version, String status, String registeredAt, String runId, Gate gate,
        Map<String, Double> metrics, Map<String, Double> trainingMetrics, Map<String, String> hyperparameters,
        Dataset dataset, Map<String, String> artifacts) {

    public static final String PENDING = "PendingManualApproval";
    public static final String REJECTED = "Rejected";
    public static final String APPROVED = "Approved";
    public static final Set<String> STATUSES = Set.of(PENDING, REJECTED, APPROVED);

    /**
     * @param metric         gate metric, e.g. {@code auc}
     * @param value          the candidate's value
     * @param threshold      the minimum
     * @param maxRegression  how far below the champion it may be
     * @param champion       the champion's label ({@code v3}) or null when none was compared
     * @param championValue  its value, or null
     * @param passed         the outcome
     * @param checks         one sentence per check
     */
    public record Gate(String metric, double value, double threshold, double maxRegression, String champion,
            Double championValue, boolean passed, List<String> checks) {
    }

    /**
     * @param path     the dataset file given to the ETL
     * @param sha256   its checksum (the manifest's {@code source.sha256})
     * @param member   the zip member read, if any
     * @param rowsRead rows the ETL read
     */
    public record Dataset(String path, String sha256, String member, long rowsRead) {
    }

    public RegistryEntry withVersion(int value) {
        return new RegistryEntry(group, value, status, registeredAt, runId, gate, metrics, trainingMetrics, hyperparameters,
                dataset, artifacts);
    }

    /** {@code v3}. */
    public String label() {
        return "v" + version;
    }
}
