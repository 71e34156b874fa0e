package io.mlops.systemtests.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.Json;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.io.IOException;
import java.util.Locale;

/**
 * Checks one scoring answer against the model server's response contract
 * (docs/contracts/model-container.md): HTTP 200, the {@code Content-Type} asked for with
 * {@code Accept}, exactly one probability of {@code y=1} per record, each a finite number in [0, 1].
 */
public final class Predictions {
    public static final String CSV = "text/csv";
    public static final String JSON = "application/json";

    private Predictions() {
    }

    /**
     * The probabilities in the answer.
     *
     * @param accept   the type requested ({@link #CSV} or {@link #JSON})
     * @param expected number of records sent
     * @throws ContractViolation with a sentence saying what is wrong
     */
    public static double[] parse(ScoringResponse response, String accept, int expected) {
        if (response.status() != 200) {
            throw new ContractViolation("HTTP " + response.status() + " (expected 200): " + response.bodySnippet(200));
        }
        String type = mediaType(response.contentType());
        if (!type.equals(accept)) {
            throw new ContractViolation("Content-Type '" + response.contentType() + "' but Accept was " + accept);
        }
        double[] values = accept.equals(JSON) ? fromJson(response) : fromCsv(response);
        if (values.length != expected) {
            throw new ContractViolation(values.length + " predictions for " + expected + " records (expected one per record)");
        }
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0 && values[i] <= 1)) {
                throw new ContractViolation("prediction " + (i + 1) + " is " + values[i] + ", not a probability in [0, 1]");
            }
        }
        return values;
    }

    /** {@code text/csv; charset=utf-8} → {@code text/csv}. */
    public static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static double[] fromCsv(ScoringResponse response) {
        String[] lines = response.bodyText().strip().split("\r?\n", -1);
        if (lines.length == 1 && lines[0].isEmpty()) {
            return new double[0];
        }
        double[] values = new double[lines.length];
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            try {
                values[i] = Double.parseDouble(line);
            } catch (NumberFormatException e) {
                throw new ContractViolation("response line " + (i + 1) + " is '" + abbreviate(line)
                        + "', not one number (text/csv answers have one probability per line)");
            }
        }
        return values;
    }

    private static double[] fromJson(ScoringResponse response) {
        JsonNode root;
        try {
            root = Json.EVENTS.readTree(response.body());
        } catch (IOException e) {
            throw new ContractViolation("response is not JSON: " + response.bodySnippet(200));
        }
        JsonNode predictions = root == null ? null : root.get("predictions");
        if (predictions == null || !predictions.isArray()) {
            throw new ContractViolation("JSON response has no \"predictions\" array: " + response.bodySnippet(200));
        }
        double[] values = new double[predictions.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = predictions.get(i);
            if (!value.isNumber()) {
                throw new ContractViolation("predictions[" + i + "] is " + abbreviate(value.toString()) + ", not a number");
            }
            values[i] = value.doubleValue();
        }
        return values;
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    /** The answer breaks the response contract; the message is the reason. */
    public static final class ContractViolation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ContractViolation(String message) {
            super(message);
        }
    }
}
