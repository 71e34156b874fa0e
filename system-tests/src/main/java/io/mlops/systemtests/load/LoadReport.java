package io.mlops.systemtests.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlops.lambdas.core.Json;
import io.mlops.systemtests.metrics.LatencySummary;
import io.mlops.systemtests.metrics.PercentilePoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a load test measured: {@code load-report.json}. Latencies are in milliseconds and count
 * successful (2xx) requests; in open-loop mode {@code latencyMillis} runs from each request's
 * intended start (so a stalled server cannot hide its backlog: no coordinated omission) and
 * {@code serviceTimeMillis} from its actual start.
 *
 * @param target            what was loaded ({@code url ...} or {@code sagemaker endpoint ...})
 * @param mode              {@code OPEN_LOOP} or {@code CLOSED_LOOP}
 * @param rate              offered requests per second (open loop), else {@code null}
 * @param concurrency       clients (closed loop) or the most requests in flight (open loop)
 * @param durationSeconds   the duration bound
 * @param maxRequests       the request-count bound
 * @param rowsPerRequest    records per request
 * @param contentType       request {@code Content-Type}
 * @param data              where the records were sampled from
 * @param startedAt         ISO-8601 UTC
 * @param elapsedSeconds    from the first request to the last answer
 * @param counts            requests by outcome
 * @param errorsByStatus    failed requests by HTTP status or error name
 * @param errorSamples      the first message seen for each key of {@code errorsByStatus}
 * @param throughput        requests per second
 * @param latencyMillis     latency percentiles
 * @param serviceTimeMillis service time percentiles
 * @param percentiles       the latency distribution (for the percentile chart)
 * @param perSecond         one row per second of the run (by completion time)
 * @param autoscaling       the autoscaling target the measured throughput implies
 * @param warnings          caveats about the numbers
 */
public record LoadReport(
        String target,
        String mode,
        Double rate,
        int concurrency,
        double durationSeconds,
        long maxRequests,
        int rowsPerRequest,
        String contentType,
        String data,
        String startedAt,
        double elapsedSeconds,
        Counts counts,
        Map<String, Long> errorsByStatus,
        Map<String, String> errorSamples,
        Throughput throughput,
        LatencySummary latencyMillis,
        LatencySummary serviceTimeMillis,
        List<PercentilePoint> percentiles,
        List<SecondStats> perSecond,
        Autoscaling autoscaling,
        List<String> warnings) {

    public static final String JSON_FILE = "load-report.json";
    public static final String HTML_FILE = "load-report.html";

    /**
     * @param sent       requests started
     * @param completed  answered or failed
     * @param ok         answered 2xx
     * @param errors     answered otherwise or failed (timeout, connection)
     * @param dropped    due (open loop) but not started by 0.25 s after the duration ended: the senders were busy
     * @param unfinished still in flight when the run gave up waiting
     */
    public record Counts(long sent, long completed, long ok, long errors, long dropped, long unfinished) {
    }

    /**
     * @param requestsPerSecond        completed requests / elapsed seconds
     * @param okPerSecond              2xx answers / elapsed seconds
     * @param maxSustainedOkPerSecond  best average of 2xx answers per second over {@code sustainWindowSeconds}
     *                                 consecutive full seconds
     * @param sustainWindowSeconds     the window (5 s, or the whole run when shorter)
     */
    public record Throughput(double requestsPerSecond, double okPerSecond, double maxSustainedOkPerSecond,
            int sustainWindowSeconds) {
    }

    /** One second of the run: answers completed in it and their latency. */
    public record SecondStats(int second, long ok, long errors, double p50, double p90, double p99, double max) {
    }

    public String toJson() {
        try {
            return Json.EVENTS.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the load report: " + e.getOriginalMessage(), e);
        }
    }

    public static LoadReport fromJson(String json) throws IOException {
        return Json.STRICT.readValue(json, LoadReport.class);
    }

    /**
     * Writes {@value #JSON_FILE} and {@value #HTML_FILE} into {@code folder} (created if needed).
     *
     * @return the two files, JSON first
     */
    public List<Path> writeTo(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path json = folder.resolve(JSON_FILE);
        Path html = folder.resolve(HTML_FILE);
        Files.writeString(json, toJson(), StandardCharsets.UTF_8);
        Files.writeString(html, LoadReportHtml.page(this), StandardCharsets.UTF_8);
        return List.of(json, html);
    }
}
