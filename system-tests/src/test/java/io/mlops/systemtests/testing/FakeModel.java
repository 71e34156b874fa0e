package io.mlops.systemtests.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.systemtests.data.CsvReader;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model server in a few lines, true to docs/contracts/model-container.md unless told to misbehave:
 * the probability is the value of the numeric column {@code x} (clipped to [0, 1]); columns are
 * {@link SyntheticSplit#FEATURES}. Bad input gets a 400/415 naming row and column.
 */
public final class FakeModel {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Answer 500 instead of 4xx to bad input (a server that crashes on client mistakes). */
    public volatile boolean crashOnBadInput;
    /** Return one prediction fewer than records. */
    public volatile boolean dropOnePrediction;
    /** Return 1.5 as the first prediction. */
    public volatile boolean outOfRange;
    /** Answer CSV requests with this Content-Type instead of text/csv. */
    public volatile String csvContentType = "text/csv; charset=utf-8";
    /** Added to every JSON prediction (a JSON path that parses features differently). */
    public volatile double jsonSkew;
    /** Sleep this long before answering a valid request. */
    public volatile long delayMillis;
    /** Invert the probabilities (a model worse than chance). */
    public volatile boolean inverted;

    private final AtomicLong requests = new AtomicLong();

    public long requests() {
        return requests.get();
    }

    /** Answers one {@code POST /invocations}. */
    public ScoringResponse invoke(String contentType, String accept, byte[] body) {
        requests.incrementAndGet();
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        List<Double> scores;
        try {
            if (type.equals("text/csv")) {
                scores = csv(new String(body, StandardCharsets.UTF_8));
            } else if (type.equals("application/json")) {
                scores = json(body);
            } else {
                return new ScoringResponse(415, "text/plain", ("Content-Type '" + contentType
                        + "': send text/csv or application/json").getBytes(StandardCharsets.UTF_8));
            }
        } catch (BadInput e) {
            return new ScoringResponse(crashOnBadInput ? 500 : 400, "text/plain",
                    e.getMessage().getBytes(StandardCharsets.UTF_8));
        }
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (dropOnePrediction && !scores.isEmpty()) {
            scores.remove(scores.size() - 1);
        }
        if (outOfRange && !scores.isEmpty()) {
            scores.set(0, 1.5);
        }
        boolean asJson = accept != null && accept.startsWith("application/json");
        if (asJson) {
            StringBuilder out = new StringBuilder("{\"predictions\":[");
            for (int i = 0; i < scores.size(); i++) {
                out.append(i > 0 ? "," : "").append(scores.get(i));
            }
            return new ScoringResponse(200, "application/json", out.append("]}").toString().getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder out = new StringBuilder();
        for (double score : scores) {
            out.append(score).append('\n');
        }
        return new ScoringResponse(200, csvContentType, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private List<Double> csv(String text) throws BadInput {
        if (text.isBlank()) {
            throw new BadInput("empty body: send one or more CSV records");
        }
        CsvReader reader = new CsvReader(new StringReader(text), "body");
        List<Double> scores = new ArrayList<>();
        try {
            List<String> first = reader.next();
            List<String> header = first.equals(SyntheticSplit.FEATURES) ? first : SyntheticSplit.FEATURES;
            List<String> fields = first.equals(SyntheticSplit.FEATURES) ? reader.next() : first;
            int row = 1;
            while (fields != null) {
                if (fields.size() != header.size()) {
                    throw new BadInput("row " + row + ": " + fields.size() + " values, expected " + header.size());
                }
                scores.add(score(number(fields.get(0), row)));
                fields = reader.next();
                row++;
            }
        } catch (IOException e) {
            throw new BadInput("unreadable CSV: " + e.getMessage());
        }
        if (scores.isEmpty()) {
            throw new BadInput("no records");
        }
        return scores;
    }

    private List<Double> json(byte[] body) throws BadInput {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new BadInput("body is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new BadInput("send a non-empty list of objects");
        }
        List<Double> scores = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode x = root.get(i).get("x");
            if (x == null || !x.isNumber() || root.get(i).size() != SyntheticSplit.FEATURES.size()) {
                throw new BadInput("row " + (i + 1) + ", column 'x': expected a number and all columns");
            }
            scores.add(score(x.doubleValue()) + jsonSkew);
        }
        return scores;
    }

    private static double number(String value, int row) throws BadInput {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new BadInput("row " + row + ", column 'x': '" + value + "' is not a number");
        }
    }

    private double score(double x) {
        double p = Math.max(0, Math.min(1, x));
        return inverted ? 1 - p : p;
    }

    private static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;

        BadInput(String message) {
            super(message);
        }
    }
}
