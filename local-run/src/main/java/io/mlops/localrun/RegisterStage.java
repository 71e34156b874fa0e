package io.mlops.localrun;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stage 5: the model version in the local registry, {@code PendingManualApproval} when the gate passed, else
 * {@code Rejected} (kept for the audit trail; the run then stops at the gate). The entry records the gate, the
 * metrics, the hyperparameters, the dataset and the artifacts of the stages before.
 */
final class RegisterStage {
    private RegisterStage() {
    }

    /** What comes out of the stage: the entry and its file. */
    record Outcome(RegistryEntry entry, Path file) {
    }

    static Outcome run(LocalRegistry registry, RegistryEntry draft) throws IOException {
        RegistryEntry entry = registry.register(draft);
        return new Outcome(entry, registry.file(entry.group(), entry.version()));
    }

    /** The entry to register (version 0: the registry numbers it). */
    static RegistryEntry draft(String group, EtlStage.Outcome etl, TrainStage.Outcome train,
            EvaluateStage.Outcome evaluation, GateStage.Outcome g, Path dataset, String runId, Path work, Instant now) {
        Map<String, String> artifacts = new LinkedHashMap<>();
        artifacts.put("modelData", evaluation.modelTarGz().toString());
        artifacts.put("evaluation", evaluation.evaluationFile().toString());
        artifacts.put("evaluationReport", evaluation.reportFile().toString());
        artifacts.put("etlManifest", etl.manifestFile().toString());
        artifacts.put("work", work.toString());
        RegistryEntry.Gate gate = new RegistryEntry.Gate(g.gate().metric(), g.decision().value(), g.gate().threshold(),
                g.gate().maxRegression(), g.decision().champion().map(c -> c.label()).orElse(null),
                g.decision().champion().map(c -> c.value()).orElse(null), g.passed(), g.decision().checks());
        EtlManifest m = etl.manifest();
        return new RegistryEntry(group, 0, g.passed() ? RegistryEntry.PENDING : RegistryEntry.REJECTED,
                now.toString(), runId, gate, EvaluateStage.metricsOf(evaluation), train.metrics(), train.hyperparameters(),
                new RegistryEntry.Dataset(dataset.toString(), etl.datasetSha256(), m.sourceMember(), m.rowsRead()),
                artifacts);
    }
}
