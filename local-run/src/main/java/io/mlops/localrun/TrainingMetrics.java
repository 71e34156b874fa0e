package io.mlops.localrun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code METRIC <name>=<float>} lines {@code train} prints (docs/contracts/model-container.md), read with
 * the regular expression SageMaker's MetricDefinitions use.
 */
final class TrainingMetrics {
    static final Pattern METRIC = Pattern.compile("^METRIC ([A-Za-z0-9_:.-]+)=([-+0-9.eE]+|nan|NaN|inf|-inf)\\s*$");

    private TrainingMetrics() {
    }

    /** Name to value, in the order printed; a name printed twice keeps its last value (as SageMaker's final value). */
    static Map<String, Double> parse(List<String> lines) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = METRIC.matcher(line);
            if (m.matches()) {
                try {
                    metrics.put(m.group(1), switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                        case "nan" -> Double.NaN;
                        case "inf" -> Double.POSITIVE_INFINITY;
                        case "-inf" -> Double.NEGATIVE_INFINITY;
                        default -> Double.parseDouble(m.group(2));
                    });
                } catch (NumberFormatException e) {
                    throw new StageFailedException("train printed a METRIC line whose value is not a number: '" + line
                            + "'; the contract is METRIC <name>=<float>");
                }
            }
        }
        return metrics;
    }

    static Map<String, Double> parse(Path log) throws IOException {
        return parse(Files.readAllLines(log, StandardCharsets.UTF_8));
    }
}
