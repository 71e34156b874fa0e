package io.mlops.lambdas.settings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.pipeline.JobFailedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The run settings a data scientist changes with a {@code git push}: {@code config/run-settings.json}
 * in the repository (docs/contracts/run-settings.md). Every field is optional and has the default
 * documented below; unknown keys and out-of-range values fail the run with the key's path.
 */
public record RunSettings(Etl etl, Training training, Evaluation evaluation, QualityGate qualityGate,
        Monitoring monitoring) {

    /** Metrics the Evaluate handler can gate on: keys of {@code binary_classification_metrics}. */
    public static final Set<String> GATE_METRICS = Set.of("auc", "pr_auc", "accuracy", "precision", "recall", "f1");
    /**
     * Glue worker types for a batch Spark job (StartJobRun WorkerType; G.025X is for streaming jobs only, Z.2X for
     * Ray; G.4X and G.8X only in some Regions, docs/configuration.md).
     */
    static final Set<String> GLUE_WORKER_TYPES = Set.of("G.1X", "G.2X", "G.4X", "G.8X");
    /**
     * The longest a job of one pipeline action may run: CodePipeline fails a Lambda invoke action that has not
     * succeeded within 24 hours (the job would run on, unwatched); 23 hours leave one for queueing, the handler's
     * polls and the rest of the action.
     */
    static final int MAX_ACTION_JOB_SECONDS = 23 * 3600;
    static final Pattern INSTANCE_TYPE = Pattern.compile("ml\\.[a-z0-9-]+\\.[a-z0-9]+");

    public RunSettings {
        etl = etl == null ? new Etl(null, null, null, null, null) : etl;
        training = training == null ? new Training(null, null, null, null, null, null, null) : training;
        evaluation = evaluation == null ? new Evaluation(null, null) : evaluation;
        qualityGate = qualityGate == null ? new QualityGate(null, null, null) : qualityGate;
        monitoring = monitoring == null ? new Monitoring(null, null, null, null, null, null, null) : monitoring;
    }

    /** All defaults. */
    public static RunSettings defaults() {
        return new RunSettings(null, null, null, null, null);
    }

    /** Glue run options. Defaults: bank settings, G.1X, 2 workers, 30 minutes, no extra arguments. */
    public record Etl(String settingsFile, String workerType, Integer numberOfWorkers, Integer timeoutMinutes,
            Map<String, String> arguments) {
        public Etl {
            settingsFile = settingsFile == null ? "etl/settings/bank.json" : settingsFile;
            workerType = workerType == null ? "G.1X" : workerType;
            numberOfWorkers = numberOfWorkers == null ? 2 : numberOfWorkers;
            timeoutMinutes = timeoutMinutes == null ? 30 : timeoutMinutes;
            arguments = arguments == null ? Map.of() : Map.copyOf(arguments);
        }
    }

    /** Training job. Defaults: ml.m5.large x1, 10 GB, 1 hour, on-demand, no warm pool, image defaults. */
    public record Training(String instanceType, Integer instanceCount, Integer volumeSizeGb, Integer maxRuntimeSeconds,
            Spot spot, Integer warmPoolKeepAliveSeconds, Map<String, Object> hyperparameters) {
        public Training {
            instanceType = instanceType == null ? "ml.m5.large" : instanceType;
            instanceCount = instanceCount == null ? 1 : instanceCount;
            volumeSizeGb = volumeSizeGb == null ? 10 : volumeSizeGb;
            maxRuntimeSeconds = maxRuntimeSeconds == null ? 3600 : maxRuntimeSeconds;
            spot = spot == null ? new Spot(null, null) : spot;
            warmPoolKeepAliveSeconds = warmPoolKeepAliveSeconds == null ? 0 : warmPoolKeepAliveSeconds;
            hyperparameters = hyperparameters == null ? Map.of() : new LinkedHashMap<>(hyperparameters);
        }

        /** SageMaker takes hyperparameters as strings: numbers and booleans as written, objects as JSON. */
        public Map<String, String> hyperparametersAsStrings() {
            Map<String, String> out = new LinkedHashMap<>();
            hyperparameters.forEach((k, v) -> out.put(k, v instanceof String s ? s
                    : v instanceof Number || v instanceof Boolean ? String.valueOf(v) : Json.write(v)));
            return out;
        }
    }

    /** Managed spot training. Default off; MaxWaitTime defaults to 2 hours. */
    public record Spot(Boolean enabled, Integer maxWaitSeconds) {
        public Spot {
            enabled = enabled != null && enabled;
            maxWaitSeconds = maxWaitSeconds == null ? 7200 : maxWaitSeconds;
        }
    }

    /** Evaluation processing job. Defaults: ml.m5.large, 30 minutes. */
    public record Evaluation(String instanceType, Integer maxRuntimeSeconds) {
        public Evaluation {
            instanceType = instanceType == null ? "ml.m5.large" : instanceType;
            maxRuntimeSeconds = maxRuntimeSeconds == null ? 1800 : maxRuntimeSeconds;
        }
    }

    /** Quality gate. Defaults: ROC AUC ("auc") at least 0.75 and at most 0.01 below the champion. */
    public record QualityGate(String metric, Double threshold, Double maxRegression) {
        public QualityGate {
            metric = metric == null ? "auc" : metric;
            threshold = threshold == null ? 0.75 : threshold;
            maxRegression = maxRegression == null ? 0.01 : maxRegression;
        }
    }

    /**
     * Drift thresholds of the PRD monitor ({@code monitor} entry point, docs/contracts/model-container.md). Every
     * field is optional; unset ones keep the container's default (psi 0.2, KS D 0.1 at p 0.01, drifted share 0.3,
     * score PSI 0.2, schema violations 0.01, 100 rows). They reach {@code train} as {@code monitor_*}
     * hyperparameters and travel inside the model (profile.json), so each window is judged by the thresholds of
     * the run that trained the model serving it.
     */
    public record Monitoring(Double psiThreshold, Double ksStatisticThreshold, Double ksPValue,
            Double driftedFeatureShare, Double scorePsiThreshold, Double maxSchemaViolationRate, Integer minRows) {

        /** Prefix of the hyperparameters that carry these thresholds to {@code train}. */
        public static final String HYPERPARAMETER_PREFIX = "monitor_";

        /** The set thresholds as {@code monitor_<snake_case>} hyperparameters, in declaration order. */
        public Map<String, String> asHyperparameters() {
            Map<String, String> out = new LinkedHashMap<>();
            put(out, "psi_threshold", psiThreshold);
            put(out, "ks_statistic_threshold", ksStatisticThreshold);
            put(out, "ks_p_value", ksPValue);
            put(out, "drifted_feature_share", driftedFeatureShare);
            put(out, "score_psi_threshold", scorePsiThreshold);
            put(out, "max_schema_violation_rate", maxSchemaViolationRate);
            put(out, "min_rows", minRows);
            return out;
        }

        private static void put(Map<String, String> out, String name, Number value) {
            if (value != null) {
                out.put(HYPERPARAMETER_PREFIX + name, String.valueOf(value));
            }
        }

        void validate(List<String> problems) {
            nonNegative(problems, "monitoring.psiThreshold", psiThreshold, false);
            nonNegative(problems, "monitoring.ksStatisticThreshold", ksStatisticThreshold, false);
            nonNegative(problems, "monitoring.ksPValue", ksPValue, true);
            nonNegative(problems, "monitoring.driftedFeatureShare", driftedFeatureShare, true);
            nonNegative(problems, "monitoring.scorePsiThreshold", scorePsiThreshold, false);
            nonNegative(problems, "monitoring.maxSchemaViolationRate", maxSchemaViolationRate, true);
            if (minRows != null && minRows < 0) {
                problems.add("monitoring.minRows " + minRows + " must be >= 0");
            }
        }

        private static void nonNegative(List<String> problems, String key, Double value, boolean share) {
            if (value == null) {
                return;
            }
            if (!Double.isFinite(value) || value < 0 || (share && value > 1)) {
                problems.add(key + " " + value + (share ? " must be within [0, 1]" : " must be a number >= 0"));
            }
        }
    }

    /**
     * What {@code train} gets as hyperparameters: {@code training.hyperparameters} as strings, then the
     * {@code monitoring} thresholds as {@code monitor_*} keys. LaunchTraining and the local run both use this.
     */
    public Map<String, String> trainingHyperparameters() {
        Map<String, String> out = new LinkedHashMap<>(training.hyperparametersAsStrings());
        out.putAll(monitoring.asHyperparameters());
        return out;
    }

    /** Parses and validates; every problem is a configuration failure naming the file and key. */
    public static RunSettings parse(byte[] json, String source) {
        RunSettings settings;
        try {
            settings = Json.STRICT.readValue(json, RunSettings.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw JobFailedException.configuration("run settings " + source + " are invalid at '" + path + "': "
                    + e.getOriginalMessage() + ". See docs/contracts/run-settings.md for the keys.");
        } catch (java.io.IOException e) {
            throw JobFailedException.configuration("run settings " + source + " are not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (settings == null) {
            throw JobFailedException.configuration("run settings " + source + " are empty; write a JSON object "
                    + "(\"{}\" for all defaults)");
        }
        settings.validate(source);
        return settings;
    }

    /** Checks ranges; one message lists every problem. */
    public void validate(String source) {
        List<String> problems = new ArrayList<>();
        range(problems, "etl.numberOfWorkers", etl.numberOfWorkers(), 2, 299);
        if ("G.025X".equals(etl.workerType())) {
            problems.add("etl.workerType 'G.025X' is for Glue streaming jobs only; the ETL is a batch Spark job: use "
                    + "G.1X or larger");
        } else if (!GLUE_WORKER_TYPES.contains(etl.workerType())) {
            problems.add("etl.workerType '" + etl.workerType() + "' is not one of " + new TreeSet<>(GLUE_WORKER_TYPES));
        }
        actionBound(problems, "etl.timeoutMinutes", etl.timeoutMinutes(), 1, MAX_ACTION_JOB_SECONDS / 60, "minutes");
        etl.arguments().keySet().stream().filter(k -> !k.startsWith("--"))
                .forEach(k -> problems.add("etl.arguments key '" + k + "' must start with '--'"));
        instanceType(problems, "training.instanceType", training.instanceType());
        range(problems, "training.instanceCount", training.instanceCount(), 1, 100);
        range(problems, "training.volumeSizeGb", training.volumeSizeGb(), 1, 16384);
        actionBound(problems, "training.maxRuntimeSeconds", training.maxRuntimeSeconds(), 60, MAX_ACTION_JOB_SECONDS,
                "seconds");
        range(problems, "training.warmPoolKeepAliveSeconds", training.warmPoolKeepAliveSeconds(), 0, 3600);
        if (training.spot().enabled()) {
            if (training.spot().maxWaitSeconds() < training.maxRuntimeSeconds()) {
                problems.add("training.spot.maxWaitSeconds (" + training.spot().maxWaitSeconds()
                        + ") must be >= training.maxRuntimeSeconds (" + training.maxRuntimeSeconds() + ")");
            }
            // MaxWaitTimeInSeconds bounds the whole job, spot waits included: it is what the action waits for.
            actionBound(problems, "training.spot.maxWaitSeconds", training.spot().maxWaitSeconds(), 1,
                    MAX_ACTION_JOB_SECONDS, "seconds");
        }
        training.hyperparameters().keySet().stream().filter(k -> k.startsWith(Monitoring.HYPERPARAMETER_PREFIX))
                .forEach(k -> problems.add("training.hyperparameters." + k + " is reserved for the drift thresholds: "
                        + "set them under monitoring (e.g. monitoring.psiThreshold), not as hyperparameters"));
        monitoring.validate(problems);
        int count = trainingHyperparameters().size();
        if (count > 100) {
            problems.add("training.hyperparameters and monitoring give " + count + " hyperparameters; SageMaker allows 100");
        }
        trainingHyperparameters().forEach((k, v) -> {
            if (k.length() > 256 || v.length() > 2500) {
                problems.add("training.hyperparameters." + k + " is too long (key <= 256, value <= 2500 characters)");
            }
        });
        instanceType(problems, "evaluation.instanceType", evaluation.instanceType());
        actionBound(problems, "evaluation.maxRuntimeSeconds", evaluation.maxRuntimeSeconds(), 60,
                MAX_ACTION_JOB_SECONDS, "seconds");
        if (!GATE_METRICS.contains(qualityGate.metric())) {
            problems.add("qualityGate.metric '" + qualityGate.metric() + "' is not one of " + GATE_METRICS);
        }
        if (qualityGate.threshold() < 0 || qualityGate.threshold() > 1) {
            problems.add("qualityGate.threshold " + qualityGate.threshold() + " must be within [0, 1]");
        }
        if (qualityGate.maxRegression() < 0 || qualityGate.maxRegression() > 1) {
            problems.add("qualityGate.maxRegression " + qualityGate.maxRegression() + " must be within [0, 1]");
        }
        if (!problems.isEmpty()) {
            throw JobFailedException.configuration("run settings " + source + " are invalid: "
                    + String.join("; ", problems) + ". Fix the file and push again.");
        }
    }

    private static void range(List<String> problems, String key, int value, int min, int max) {
        if (value < min || value > max) {
            problems.add(key + " " + value + " must be within [" + min + ", " + max + "]");
        }
    }

    /** A job's time limit, which must end before CodePipeline gives up on the action at 24 hours. */
    private static void actionBound(List<String> problems, String key, int value, int min, int max, String unit) {
        if (value > max) {
            problems.add(key + " " + value + " " + unit + " is more than " + max + " (23 hours): CodePipeline fails "
                    + "an action that has not succeeded within 24 hours while the job runs on; split the work or "
                    + "use larger instances or more workers");
        } else {
            range(problems, key, value, min, max);
        }
    }

    private static void instanceType(List<String> problems, String key, String value) {
        if (!INSTANCE_TYPE.matcher(value).matches()) {
            problems.add(key + " '" + value + "' is not a SageMaker instance type like ml.m5.large");
        }
    }
}
