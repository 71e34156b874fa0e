package io.mlops.systemtests.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlops.lambdas.core.Json;
import io.mlops.systemtests.metrics.LatencySummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one endpoint test measured: the {@code report.json} written next to the verdict.
 *
 * @param verdict           {@code PASS} when no check failed
 * @param failures          the failed checks' sentences
 * @param executionId       pipeline execution (or local run) id
 * @param endpoint          what was tested ({@link io.mlops.systemtests.scoring.ScoringEndpoint#describe()})
 * @param testData          where the records came from
 * @param startedAt         ISO-8601 UTC
 * @param settings          thresholds and sizes used
 * @param checks            every check, passed or not
 * @param counts            records and requests
 * @param rocAuc            ROC AUC over the scored records, {@code null} when undefined
 * @param latencyMillis     latency of the batch requests
 * @param malformedRequests bad requests and their answers
 * @param timings           wall-clock phases in milliseconds
 */
public record EndpointTestReport(
        String verdict,
        List<String> failures,
        String executionId,
        String endpoint,
        String testData,
        String startedAt,
        EndpointTestSettings settings,
        List<Check> checks,
        Counts counts,
        Double rocAuc,
        LatencySummary latencyMillis,
        Malformed malformedRequests,
        Timings timings) {

    public static final String PASS = "PASS";
    public static final String FAIL = "FAIL";

    public boolean passed() {
        return PASS.equals(verdict);
    }

    /** The contract's Lambda output for this report stored at {@code reportUri}. */
    public EndpointTestResult toResult(String reportUri) {
        return new EndpointTestResult(verdict, failures, reportUri, counts.rows(), rocAuc, latencyMillis.p50(),
                latencyMillis.p99(), new EndpointTestResult.MalformedCount(malformedRequests.sent(),
                        malformedRequests.rejectedWith4xx()));
    }

    public String toJson() {
        try {
            return Json.EVENTS.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the endpoint test report: " + e.getOriginalMessage(), e);
        }
    }

    public static EndpointTestReport fromJson(String json) throws IOException {
        return Json.STRICT.readValue(json, EndpointTestReport.class);
    }

    /** Writes {@code report.json} into {@code folder} (created if needed); returns the file. */
    public Path writeTo(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve("report.json");
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * @param rows          records scored (sent in a batch that got a valid answer or not)
     * @param positives     records with label 1 among them
     * @param batches       batch requests sent
     * @param batchesFailed batches whose answer broke the response contract
     * @param predictions   probabilities received in valid answers (the AUC's sample)
     */
    public record Counts(long rows, long positives, int batches, int batchesFailed, long predictions) {
    }

    /** @param probes each bad request and its answer */
    public record Malformed(int sent, int rejectedWith4xx, List<MalformedProbe.Outcome> probes) {
    }

    public record Timings(long scoringMillis, long jsonCheckMillis, long malformedMillis, long totalMillis) {
    }
}
