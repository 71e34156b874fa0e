package io.mlops.systemtests.endpoint;

import io.mlops.systemtests.data.Records;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A deliberately bad request. The model server must answer it with a 4xx naming the problem
 * (docs/contracts/model-container.md): a 5xx means the server crashed on client input, a 2xx means
 * it scored garbage.
 *
 * @param name        short id, e.g. {@code empty-body}
 * @param description what is wrong with it, for the report
 * @param contentType its {@code Content-Type}
 * @param body        its body
 */
public record MalformedProbe(String name, String description, String contentType, byte[] body) {

    /**
     * The bad requests built from a valid header and record of the split.
     *
     * @param header        feature column names
     * @param row           a valid record (feature values)
     * @param numericColumn index of a column whose values are numbers, if the sample has one
     */
    public static List<MalformedProbe> build(List<String> header, List<String> row, Optional<Integer> numericColumn) {
        List<MalformedProbe> probes = new ArrayList<>();
        List<String> shortRow = new ArrayList<>(row);
        String countChange;
        if (row.size() >= 2) {
            shortRow.remove(shortRow.size() - 1);
            countChange = "the record lacks the last column '" + header.get(header.size() - 1) + "'";
        } else {
            shortRow.add("extra");
            countChange = "the record has one field more than the header";
        }
        probes.add(new MalformedProbe("wrong-column-count", "text/csv with the header of " + header.size()
                + " columns but " + countChange, Predictions.CSV, csv(header, shortRow)));
        numericColumn.ifPresent(column -> {
            List<String> bad = new ArrayList<>(row);
            bad.set(column, "not-a-number");
            probes.add(new MalformedProbe("non-numeric-value", "text/csv with 'not-a-number' in the numeric column '"
                    + header.get(column) + "'", Predictions.CSV, csv(header, bad)));
        });
        probes.add(new MalformedProbe("empty-body", "text/csv with an empty body", Predictions.CSV, new byte[0]));
        probes.add(new MalformedProbe("unsupported-content-type", "a valid CSV record sent as application/x-npy",
                "application/x-npy", csv(header, row)));
        probes.add(new MalformedProbe("garbage-json", "application/json that is cut off mid-object",
                Predictions.JSON, ("{\"" + header.get(0) + "\": [1, 2,").getBytes(StandardCharsets.UTF_8)));
        return probes;
    }

    private static byte[] csv(List<String> header, List<String> row) {
        return Records.csv(header, List.of(row));
    }

    /**
     * What a probe got back.
     *
     * @param name            the probe
     * @param description     what was wrong with the request
     * @param status          HTTP status of the answer
     * @param rejectedWith4xx the check: true for a 4xx
     * @param response        start of the answer's body (the server's message)
     */
    public record Outcome(String name, String description, int status, boolean rejectedWith4xx, String response) {
    }
}
