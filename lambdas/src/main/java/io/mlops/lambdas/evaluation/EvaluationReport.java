package io.mlops.lambdas.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The {@code evaluation.json} the model image's {@code evaluate} entry point writes
 * (docs/contracts/model-container.md): {@code binary_classification_metrics.<name>.value}.
 *
 * <p>Pure JSON, no AWS types: the local end-to-end run reads the same file with this class. The
 * reader is lenient about extra keys (the contract says more may exist) and strict about the values
 * it is asked for: a gate metric that is missing, not a number, NaN/infinite or outside [0, 1] is an
 * {@link InvalidEvaluationException} naming the file and the key.
 */
public final class EvaluationReport {
    /** The metrics a model package records and the quality gate can use, in display order. */
    public static final List<String> METRICS = List.of("auc", "pr_auc", "accuracy", "precision", "recall", "f1");
    /** The object holding the metrics. */
    public static final String ROOT = "binary_classification_metrics";

    /** Python's json module writes NaN/Infinity as bare literals; accept them so we can name them. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final String source;
    private final Map<String, Double> values;
    private final Map<String, String> unreadable;

    private EvaluationReport(String source, Map<String, Double> values, Map<String, String> unreadable) {
        this.source = source;
        this.values = Collections.unmodifiableMap(values);
        this.unreadable = Collections.unmodifiableMap(unreadable);
    }

    /** A problem with the evaluation file; the message names the file, the key and what was found. */
    public static final class InvalidEvaluationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidEvaluationException(String message) {
            super(message);
        }
    }

    /**
     * Parses the file.
     *
     * @param json the file's bytes
     * @param source where it came from (an S3 URI or a path), used in messages
     */
    public static EvaluationReport parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEvaluationException(source + " is not valid JSON (" + e.getOriginalMessage()
                    + "); the evaluate entry point must write the object described in docs/contracts/model-container.md");
        } catch (IOException e) {
            throw new InvalidEvaluationException("could not read " + source + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEvaluationException(source + " is not a JSON object; expected {\"" + ROOT + "\": {...}} "
                    + "as described in docs/contracts/model-container.md");
        }
        JsonNode metrics = root.get(ROOT);
        if (metrics == null || !metrics.isObject()) {
            throw new InvalidEvaluationException(source + " has no object '" + ROOT + "' (top-level keys: "
                    + fieldNames(root) + "); see docs/contracts/model-container.md");
        }
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue().get("value");
            if (value == null) {
                continue; // e.g. confusion_matrix: no "value"
            }
            if (value.isNumber()) {
                values.put(entry.getKey(), value.doubleValue());
            } else if (value.isTextual()) {
                try {
                    values.put(entry.getKey(), Double.parseDouble(value.asText().trim()));
                } catch (NumberFormatException e) {
                    unreadable.put(entry.getKey(), value.toString());
                }
            } else {
                unreadable.put(entry.getKey(), value.toString());
            }
        }
        return new EvaluationReport(source, values, unreadable);
    }

    public String source() {
        return source;
    }

    /** The value of {@code binary_classification_metrics.<name>.value} as written (may be NaN). */
    public OptionalDouble value(String name) {
        Double v = values.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * The value of a gate metric: present, a finite number within [0, 1]; otherwise an
     * {@link InvalidEvaluationException} naming the file and the key.
     */
    public double require(String name) {
        String key = ROOT + "." + name + ".value";
        if (unreadable.containsKey(name)) {
            throw new InvalidEvaluationException(source + ": " + key + " is not a number (found " + unreadable.get(name)
                    + "); the evaluate entry point must write a number");
        }
        Double v = values.get(name);
        if (v == null) {
            throw new InvalidEvaluationException(source + " has no " + key + " (metrics present: " + values.keySet()
                    + "). The evaluate entry point must write it, or set qualityGate.metric in config/run-settings.json "
                    + "to one of " + METRICS);
        }
        if (v.isNaN() || v.isInfinite()) {
            throw new InvalidEvaluationException(source + ": " + key + " is " + v + ", so the quality gate cannot be "
                    + "applied. This usually means the test split has a single class or the model predicts a constant; "
                    + "check the ETL split and the evaluate logs");
        }
        if (v < 0 || v > 1) {
            throw new InvalidEvaluationException(source + ": " + key + " is " + v + ", outside [0, 1]; the evaluate "
                    + "entry point must write fractions (e.g. 0.81), not percentages");
        }
        return v;
    }

    /** The {@link #METRICS} present as finite numbers, in display order. */
    public Map<String, Double> knownMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : METRICS) {
            Double v = values.get(name);
            if (v != null && !v.isNaN() && !v.isInfinite()) {
                out.put(name, v);
            }
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
