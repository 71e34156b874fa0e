package io.mlops.localrun;

import io.mlops.systemtests.data.TestData;
import io.mlops.systemtests.endpoint.EndpointCheck;
import io.mlops.systemtests.endpoint.EndpointTestReport;
import io.mlops.systemtests.endpoint.EndpointTestSettings;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;

/**
 * Stage 7: the endpoint check of the system test ({@link EndpointCheck}, the same class as the EndpointTest
 * Lambda) over HTTP on the whole test split; then every test record is scored again for the ROC curve, and the
 * served model's ROC AUC must equal evaluate's (no training/serving skew).
 */
final class EndpointStage {
    /** The served model must score the test split as evaluate did: the areas may differ by rounding only. */
    static final double SKEW_TOLERANCE = 1e-6;
    static final int SCORING_BATCH = 500;

    private EndpointStage() {
    }

    /**
     * What comes out of the stage.
     *
     * @param report    the endpoint check's report (written to the stage's folder)
     * @param servedRoc the served model's ROC curve, or null when the check failed or the scoring did
     * @param failure   what went wrong after the report existed (thrown by {@link #check}), or null
     */
    record Outcome(EndpointTestReport report, RocCurve servedRoc, Exception failure) {
        Outcome(EndpointTestReport report, RocCurve servedRoc) {
            this(report, servedRoc, null);
        }
    }

    /**
     * The whole test split, not the contract's default first 5000 records: the check's ROC AUC is then over the
     * records evaluate used, and does not depend on the order of the ETL's output (an earlier ETL wrote each split
     * sorted by class: the first 5000 of 6176 test records were all negatives and the AUC was undefined).
     */
    static EndpointTestSettings settings(double minRocAuc, double maxP99Millis, long testRows) {
        int maxRows = (int) Math.min(Integer.MAX_VALUE, Math.max(EndpointTestSettings.DEFAULT_MAX_ROWS, testRows));
        return new EndpointTestSettings(minRocAuc, maxP99Millis, EndpointTestSettings.DEFAULT_BATCH_SIZE, maxRows);
    }

    /**
     * Runs the check and, when it passed, scores the split again.
     *
     * @throws StageFailedException when the check cannot run (bad settings or data, endpoint unreachable)
     */
    static Outcome run(EndpointTestSettings settings, ScoringEndpoint endpoint, Path testSplit, String runId,
            Clock clock, Path dir) {
        TestData test = TestData.local(testSplit);
        EndpointTestReport report;
        try {
            report = new EndpointCheck(settings, clock).run(endpoint, test, runId);
        } catch (IllegalArgumentException | EndpointUnavailableException e) {
            throw new StageFailedException(e.getMessage(), e);
        }
        try {
            report.writeTo(dir);
            if (!report.passed()) {
                return new Outcome(report, null);
            }
            ServedScores served = ServedScores.score(endpoint, test, SCORING_BATCH);
            served.writeCsv(dir.resolve("served-scores.csv"));
            return new Outcome(report, RocCurve.of(served.scores(), served.labels()));
        } catch (IOException | RuntimeException e) {
            return new Outcome(report, null, e);
        }
    }

    /**
     * The stage's line.
     *
     * @param evaluatedAuc evaluate's ROC AUC on the same split
     * @throws StageFailedException when the check failed or the served model scores differently from evaluate
     */
    static String check(Outcome outcome, double evaluatedAuc, Path evaluationFile, Path dir) throws IOException {
        if (outcome.failure() instanceof IOException e) {
            throw e;
        }
        if (outcome.failure() instanceof RuntimeException e) {
            throw e;
        }
        EndpointTestReport r = outcome.report();
        if (!r.passed()) {
            throw new StageFailedException("endpoint test FAIL: " + String.join("; ", r.failures()) + "; report: "
                    + dir.resolve("report.json"));
        }
        RocCurve served = outcome.servedRoc();
        if (!(Math.abs(served.auc() - evaluatedAuc) <= SKEW_TOLERANCE)) {
            throw new StageFailedException(String.format(Locale.ROOT, "training/serving skew: the served model's ROC AUC on "
                    + "the whole test split (%d records) is %.6f but evaluate computed %.6f from the same model and split; "
                    + "serve and evaluate must score identically (scores: %s, evaluation: %s)", served.records(),
                    served.auc(), evaluatedAuc, dir.resolve("served-scores.csv"), evaluationFile));
        }
        return String.format(Locale.ROOT, "%s: %d records, ROC AUC %.4f, batch p99 %.1f ms, %d/%d malformed "
                + "requests got a 4xx; whole test split served: ROC AUC %.4f = evaluate's", r.verdict(),
                r.counts().rows(), r.rocAuc(), r.latencyMillis().p99(), r.malformedRequests().rejectedWith4xx(),
                r.malformedRequests().sent(), served.auc());
    }
}
