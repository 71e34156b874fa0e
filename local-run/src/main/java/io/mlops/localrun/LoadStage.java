package io.mlops.localrun;

import io.mlops.systemtests.load.LoadReport;
import io.mlops.systemtests.load.LoadRun;
import io.mlops.systemtests.load.LoadTestConfig;
import io.mlops.systemtests.load.ProgressLine;
import io.mlops.systemtests.load.RequestBodies;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;

/**
 * Stage 8: the load run of the load-test tool ({@link LoadRun}), closed loop, one record per {@code text/csv}
 * request sampled from the test split; a local model server must answer every request.
 */
final class LoadStage {
    private LoadStage() {
    }

    /** @throws StageFailedException when the preflight request fails or the endpoint is unreachable */
    static LoadReport run(ScoringEndpoint endpoint, Path testSplit, LoadTestConfig config, ProgressLine progress,
            Clock clock) throws IOException {
        RequestBodies bodies = RequestBodies.fromCsv(testSplit, "y", 1, "text/csv", 42);
        try {
            return new LoadRun(clock).run(endpoint, bodies, config, progress);
        } catch (LoadRun.PreflightFailedException | EndpointUnavailableException e) {
            throw new StageFailedException(e.getMessage(), e);
        }
    }

    /**
     * Writes the report to {@code dir}; the stage's line.
     *
     * @throws StageFailedException on any error, drop or unfinished request
     */
    static String check(LoadReport report, Path dir) throws IOException {
        report.writeTo(dir);
        LoadReport.Counts c = report.counts();
        if (c.errors() > 0 || c.dropped() > 0 || c.unfinished() > 0 || c.ok() != c.sent()) {
            throw new StageFailedException(c.errors() + " errors, " + c.dropped() + " dropped and " + c.unfinished()
                    + " unfinished of " + c.sent() + " requests (" + report.errorsByStatus() + ", first messages: "
                    + report.errorSamples() + "); a local model server must answer every request; report: "
                    + dir.resolve(LoadReport.JSON_FILE));
        }
        return String.format(Locale.ROOT, "%d requests in %.1f s, %d errors, %.1f req/s, p50 %.2f ms, p99 %.2f ms",
                c.sent(), report.elapsedSeconds(), c.errors(), report.throughput().requestsPerSecond(),
                report.latencyMillis().p50(), report.latencyMillis().p99());
    }
}
