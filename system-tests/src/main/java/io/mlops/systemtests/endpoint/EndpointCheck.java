package io.mlops.systemtests.endpoint;

import io.mlops.systemtests.data.LabelledRow;
import io.mlops.systemtests.data.LabelledRows;
import io.mlops.systemtests.data.Records;
import io.mlops.systemtests.data.TestData;
import io.mlops.systemtests.metrics.LatencyHistogram;
import io.mlops.systemtests.metrics.LatencySummary;
import io.mlops.systemtests.metrics.RocAuc;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The endpoint test: the logic behind the EndpointTest Lambda and the local run, for any
 * {@link ScoringEndpoint}.
 *
 * <ol>
 * <li>{@link WarmUp}: sends the first batch until the model answers (a serverless endpoint may be cold), bounded;
 *     these requests are not in the latency figures.</li>
 * <li>Streams the labelled test records and sends their features (label dropped) in batches of
 *     {@code batchSize} as {@code text/csv} with the header row, {@code Accept: text/csv}, up to
 *     {@code maxRows} records. Each answer must be HTTP 200 {@code text/csv} with exactly one
 *     probability in [0, 1] per record; the latency of every batch request is recorded.</li>
 * <li>Sends the first batch again as {@code application/json} (a list of records) with
 *     {@code Accept: application/json}: it must answer {@code {"predictions": [...]}} with the same
 *     probabilities as the CSV answer (within 1e-6).</li>
 * <li>Sends the {@link MalformedProbe}s: each must get a 4xx.</li>
 * <li>ROC AUC over the valid answers against {@code minRocAuc}; latency p99 against {@code maxP99Millis}.</li>
 * </ol>
 *
 * <p>Verdict {@code PASS} when no check failed. Problems reaching the endpoint or reading the data
 * are thrown (they are not a verdict about the model).
 */
public final class EndpointCheck {
    /** Allowed difference between the CSV and the JSON answer for the same record. */
    static final double JSON_TOLERANCE = 1e-6;
    private static final int MAX_LISTED_BATCH_FAILURES = 5;

    private final EndpointTestSettings settings;
    private final Clock clock;
    private final WarmUp warmUp;

    public EndpointCheck(EndpointTestSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public EndpointCheck(EndpointTestSettings settings, Clock clock) {
        this(settings, clock, WarmUp.standard());
    }

    public EndpointCheck(EndpointTestSettings settings, Clock clock, WarmUp warmUp) {
        this.settings = settings;
        this.clock = clock;
        this.warmUp = warmUp;
    }

    /**
     * Runs the test.
     *
     * @param endpoint    what to test
     * @param data        labelled test records (label {@code y} first)
     * @param executionId recorded in the report
     * @return the report (its {@code verdict} is the outcome)
     * @throws io.mlops.systemtests.scoring.EndpointUnavailableException when the endpoint cannot be reached
     * @throws IllegalArgumentException when the test data is not a labelled split
     */
    public EndpointTestReport run(ScoringEndpoint endpoint, TestData data, String executionId) {
        String startedAt = clock.instant().toString();
        long start = System.nanoTime();
        List<Check> checks = new ArrayList<>();

        Scoring scoring = score(endpoint, data);
        long scored = System.nanoTime();

        checks.add(new Check("warmUp", Check.PASS, scoring.warmUp.describe()));
        checks.add(responsesCheck(scoring));
        checks.add(jsonCheck(endpoint, scoring));
        long jsonChecked = System.nanoTime();

        List<MalformedProbe.Outcome> outcomes = new ArrayList<>();
        for (MalformedProbe probe : MalformedProbe.build(scoring.header, scoring.sampleRow, numericColumn(scoring))) {
            ScoringResponse response = endpoint.invoke(probe.body(), probe.contentType(), Predictions.CSV);
            MalformedProbe.Outcome outcome = new MalformedProbe.Outcome(probe.name(), probe.description(),
                    response.status(), response.isClientError(), response.bodySnippet(300));
            outcomes.add(outcome);
            checks.add(Check.of("malformed:" + probe.name(), outcome.rejectedWith4xx(), outcome.rejectedWith4xx()
                    ? probe.description() + " was rejected with HTTP " + response.status()
                    : "malformed request '" + probe.name() + "' (" + probe.description() + ") got HTTP " + response.status()
                            + ", expected a 4xx: " + outcome.response()));
        }
        if (numericColumn(scoring).isEmpty()) {
            checks.add(new Check("malformed:non-numeric-value", Check.SKIPPED,
                    "no column of the first batch holds only numbers, so there is no numeric column to corrupt"));
        }
        long probed = System.nanoTime();

        OptionalDouble auc = RocAuc.compute(scoring.scores(), scoring.labels());
        checks.add(aucCheck(auc, scoring));
        LatencySummary latency = scoring.latency.summary();
        checks.add(Check.of("latencyP99", latency.p99() <= settings.maxP99Millis(), latency.p99() <= settings.maxP99Millis()
                ? String.format(Locale.ROOT, "latency p99 %.1f ms is within the maximum %.0f ms (p50 %.1f ms, %d requests)",
                        latency.p99(), settings.maxP99Millis(), latency.p50(), latency.count())
                : String.format(Locale.ROOT, "latency p99 %.1f ms is above the maximum %.0f ms (p50 %.1f ms, %d requests "
                        + "of %d records)", latency.p99(), settings.maxP99Millis(), latency.p50(), latency.count(),
                        settings.batchSize())));

        List<String> failures = checks.stream().filter(Check::failed).map(Check::detail).toList();
        int rejected = (int) outcomes.stream().filter(MalformedProbe.Outcome::rejectedWith4xx).count();
        return new EndpointTestReport(
                failures.isEmpty() ? EndpointTestReport.PASS : EndpointTestReport.FAIL,
                failures, executionId, endpoint.describe(), data.describe(), startedAt, settings, checks,
                new EndpointTestReport.Counts(scoring.rows, scoring.positives, scoring.batches, scoring.batchFailures.size()
                        + scoring.unlistedFailures, scoring.scores.size()),
                auc.isPresent() ? round(auc.getAsDouble()) : null,
                latency,
                new EndpointTestReport.Malformed(outcomes.size(), rejected, outcomes),
                new EndpointTestReport.Timings(millis(scored - start), millis(jsonChecked - scored),
                        millis(probed - jsonChecked), millis(probed - start)));
    }

    private Scoring score(ScoringEndpoint endpoint, TestData data) {
        Scoring scoring = new Scoring();
        try (LabelledRows rows = new LabelledRows(data)) {
            scoring.header = rows.featureHeader();
            List<LabelledRow> batch = new ArrayList<>(settings.batchSize());
            LabelledRow row;
            while (scoring.rows < settings.maxRows() && (row = rows.next()) != null) {
                batch.add(row);
                scoring.rows++;
                if (batch.size() == settings.batchSize()) {
                    sendBatch(endpoint, scoring, batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                sendBatch(endpoint, scoring, batch);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read test data " + data.describe() + ": " + e.getMessage(), e);
        }
        if (scoring.rows == 0) {
            throw new IllegalArgumentException("test data " + data.describe()
                    + " has a header but no records; the ETL's test split must not be empty");
        }
        return scoring;
    }

    private void sendBatch(ScoringEndpoint endpoint, Scoring scoring, List<LabelledRow> batch) {
        scoring.batches++;
        if (scoring.firstBatch == null) {
            scoring.firstBatch = List.copyOf(batch);
            scoring.sampleRow = batch.get(0).features();
        }
        byte[] body = Records.csv(scoring.header, features(batch));
        if (scoring.warmUp == null) {
            scoring.warmUp = warmUp.run(endpoint, body, Predictions.CSV, Predictions.CSV);
        }
        long t0 = System.nanoTime();
        ScoringResponse response = endpoint.invoke(body, Predictions.CSV, Predictions.CSV);
        scoring.latency.recordNanos(System.nanoTime() - t0);
        for (LabelledRow row : batch) {
            scoring.positives += row.label();
        }
        try {
            double[] values = Predictions.parse(response, Predictions.CSV, batch.size());
            for (int i = 0; i < values.length; i++) {
                scoring.scores.add(values[i]);
                scoring.labels.add(batch.get(i).label());
            }
            if (scoring.batches == 1) {
                scoring.firstBatchScores = values;
            }
        } catch (Predictions.ContractViolation e) {
            long firstRow = scoring.rows - batch.size() + 1;
            String sentence = "batch " + scoring.batches + " (records " + firstRow + "-" + scoring.rows + ", from "
                    + batch.get(0).source() + " line " + batch.get(0).line() + "): " + e.getMessage();
            if (scoring.batchFailures.size() < MAX_LISTED_BATCH_FAILURES) {
                scoring.batchFailures.add(sentence);
            } else {
                scoring.unlistedFailures++;
            }
        }
    }

    private Check responsesCheck(Scoring scoring) {
        int failed = scoring.batchFailures.size() + scoring.unlistedFailures;
        if (failed == 0) {
            return Check.of("responses", true, scoring.batches + " of " + scoring.batches
                    + " batches answered HTTP 200 text/csv with one probability in [0, 1] per record ("
                    + scoring.rows + " records)");
        }
        String more = scoring.unlistedFailures > 0 ? "; and " + scoring.unlistedFailures + " more" : "";
        return Check.of("responses", false, failed + " of " + scoring.batches
                + " batches broke the response contract: " + String.join("; ", scoring.batchFailures) + more);
    }

    private Check jsonCheck(ScoringEndpoint endpoint, Scoring scoring) {
        if (scoring.firstBatchScores == null) {
            return new Check("jsonRoundTrip", Check.SKIPPED, "the first CSV batch got no valid answer to compare with");
        }
        List<LabelledRow> batch = scoring.firstBatch;
        byte[] body = Records.json(scoring.header, features(batch), Records.numericColumns(scoring.header.size(),
                features(batch)));
        ScoringResponse response = endpoint.invoke(body, Predictions.JSON, Predictions.JSON);
        double[] values;
        try {
            values = Predictions.parse(response, Predictions.JSON, batch.size());
        } catch (Predictions.ContractViolation e) {
            return Check.of("jsonRoundTrip", false, "the first batch sent as application/json (" + batch.size()
                    + " records, Accept application/json): " + e.getMessage());
        }
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < values.length; i++) {
            double difference = Math.abs(values[i] - scoring.firstBatchScores[i]);
            if (difference > worst) {
                worst = difference;
                worstIndex = i;
            }
        }
        if (worst > JSON_TOLERANCE) {
            return Check.of("jsonRoundTrip", false, String.format(Locale.ROOT,
                    "the first batch scored as application/json differs from text/csv: record %d got %.6f as JSON but "
                            + "%.6f as CSV (the server must parse both into the same features)",
                    worstIndex + 1, values[worstIndex], scoring.firstBatchScores[worstIndex]));
        }
        return Check.of("jsonRoundTrip", true, "the first batch (" + batch.size()
                + " records) as application/json got the same probabilities as text/csv");
    }

    private Check aucCheck(OptionalDouble auc, Scoring scoring) {
        int n = scoring.scores.size();
        if (n == 0) {
            return Check.of("rocAuc", false, "no valid predictions to compute ROC AUC from (every batch failed)");
        }
        if (auc.isEmpty()) {
            return Check.of("rocAuc", false, "ROC AUC is undefined: the " + n + " scored records all have label "
                    + scoring.labels.get(0) + "; the test split needs both classes (raise maxRows or check the ETL split)");
        }
        double value = auc.getAsDouble();
        boolean passed = value >= settings.minRocAuc();
        return Check.of("rocAuc", passed, String.format(Locale.ROOT, "ROC AUC %.4f is %s the minimum %.4f (on %d records)",
                value, passed ? "at or above" : "below", settings.minRocAuc(), n));
    }

    private static Optional<Integer> numericColumn(Scoring scoring) {
        boolean[] numeric = Records.numericColumns(scoring.header.size(), features(scoring.firstBatch));
        for (int c = 0; c < numeric.length; c++) {
            if (numeric[c]) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static List<List<String>> features(List<LabelledRow> rows) {
        return rows.stream().map(LabelledRow::features).toList();
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private static double round(double value) {
        return Math.round(value * 1e6) / 1e6;
    }

    /** State of the scoring pass. */
    private static final class Scoring {
        List<String> header;
        List<String> sampleRow;
        List<LabelledRow> firstBatch;
        WarmUp.Result warmUp;
        double[] firstBatchScores;
        long rows;
        long positives;
        int batches;
        final List<String> batchFailures = new ArrayList<>();
        int unlistedFailures;
        final List<Double> scores = new ArrayList<>();
        final List<Integer> labels = new ArrayList<>();
        final LatencyHistogram latency = new LatencyHistogram();

        double[] scores() {
            return scores.stream().mapToDouble(Double::doubleValue).toArray();
        }

        int[] labels() {
            return labels.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
