package io.mlops.localrun;

import io.mlops.systemtests.data.LabelledRow;
import io.mlops.systemtests.data.LabelledRows;
import io.mlops.systemtests.data.Records;
import io.mlops.systemtests.data.TestData;
import io.mlops.systemtests.endpoint.Predictions;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every record of the test split scored by the served model (batches of {@code text/csv} with the header row),
 * with its label: the data of the report's ROC curve, and a check that the served model scores the split as
 * evaluate did (same area under the curve).
 *
 * @param labels 0/1 per record, in file order
 * @param scores the served probability of y=1 per record
 */
record ServedScores(int[] labels, double[] scores) {

    /**
     * @throws StageFailedException when an answer breaks the response contract
     */
    static ServedScores score(ScoringEndpoint endpoint, TestData data, int batchSize) throws IOException {
        List<Integer> labels = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        try (LabelledRows rows = new LabelledRows(data)) {
            List<String> header = rows.featureHeader();
            List<LabelledRow> batch = new ArrayList<>(batchSize);
            LabelledRow row;
            do {
                row = rows.next();
                if (row != null) {
                    batch.add(row);
                }
                if (!batch.isEmpty() && (row == null || batch.size() == batchSize)) {
                    byte[] body = Records.csv(header, batch.stream().map(LabelledRow::features).toList());
                    double[] values;
                    try {
                        values = Predictions.parse(endpoint.invoke(body, Predictions.CSV, Predictions.CSV), Predictions.CSV,
                                batch.size());
                    } catch (Predictions.ContractViolation e) {
                        throw new StageFailedException("scoring records from " + batch.get(0).source() + " line "
                                + batch.get(0).line() + " on: " + e.getMessage(), e);
                    }
                    for (int i = 0; i < values.length; i++) {
                        labels.add(batch.get(i).label());
                        scores.add(values[i]);
                    }
                    batch.clear();
                }
            } while (row != null);
        }
        return new ServedScores(labels.stream().mapToInt(Integer::intValue).toArray(),
                scores.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** {@code y,score} per record, for inspection. */
    void writeCsv(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("y,score\n");
            for (int i = 0; i < labels.length; i++) {
                out.write(labels[i] + "," + scores[i] + "\n");
            }
        }
    }
}
