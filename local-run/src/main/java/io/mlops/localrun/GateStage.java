package io.mlops.localrun;

import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.evaluation.EvaluationReport.InvalidEvaluationException;
import io.mlops.lambdas.evaluation.QualityGate;
import io.mlops.lambdas.evaluation.QualityGate.Champion;
import io.mlops.lambdas.evaluation.QualityGate.Decision;
import io.mlops.lambdas.settings.RunSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Stage 4: the quality gate of the Evaluate handler ({@link QualityGate}, the same class) on evaluate's
 * {@code evaluation.json} read through {@link io.mlops.lambdas.evaluation.EvaluationReport}; the champion is
 * the newest {@code Approved} version in the local registry.
 */
final class GateStage {
    private GateStage() {
    }

    /**
     * @param champion the registry entry compared with, if any
     * @param note     why an approved version was not compared (it lacks the metric), or null
     */
    record Outcome(QualityGate gate, Decision decision, Optional<RegistryEntry> champion, String note) {
        boolean passed() {
            return decision.passed();
        }

        /** The decision in one line, with the note. */
        String summary() {
            return decision.summary() + (note == null ? "" : " (" + note + ")");
        }
    }

    static Outcome run(RunSettings.QualityGate settings, EvaluateStage.Outcome evaluation, LocalRegistry registry,
            String group) throws IOException {
        QualityGate gate = new QualityGate(settings.metric(), settings.threshold(), settings.maxRegression());
        double value;
        try {
            value = evaluation.report().require(gate.metric());
        } catch (InvalidEvaluationException e) {
            throw new StageFailedException("cannot apply the quality gate: " + e.getMessage(), e);
        }
        Optional<RegistryEntry> approved;
        try {
            approved = registry.champion(group);
        } catch (IllegalStateException e) {
            throw new StageFailedException("cannot find the champion in the local registry: " + e.getMessage(), e);
        }
        Optional<Champion> champion = Optional.empty();
        String note = null;
        if (approved.isPresent()) {
            Double championValue = approved.get().metrics() == null ? null : approved.get().metrics().get(gate.metric());
            if (championValue == null || championValue.isNaN() || championValue.isInfinite()) {
                note = "approved " + approved.get().label() + " has no finite " + gate.metric() + " in "
                        + registry.file(group, approved.get().version()) + ", so it was not compared";
                approved = Optional.empty();
            } else {
                champion = Optional.of(new Champion(approved.get().label(), championValue));
            }
        }
        return new Outcome(gate, gate.evaluate(value, champion), approved, note);
    }

    /** The decision as {@code quality-gate.json}. */
    static void write(Outcome g, Path file) throws IOException {
        Files.writeString(file, Json.EVENTS.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of(
                "passed", g.passed(), "summary", g.summary(), "checks", g.decision().checks(),
                "metric", g.gate().metric(), "value", g.decision().value(), "threshold", g.gate().threshold(),
                "maxRegression", g.gate().maxRegression(),
                "champion", g.champion().map(RegistryEntry::label).orElse("none"))), StandardCharsets.UTF_8);
    }
}
