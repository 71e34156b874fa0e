package io.mlops.systemtests.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.systemtests.scoring.HttpScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringResponse;
import io.mlops.systemtests.testing.LocalHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against a JDK HTTP server on 127.0.0.1; every run is bounded to about two seconds. */
class LoadRunTest {
    @TempDir
    Path dir;
    private final AtomicLong served = new AtomicLong();
    /** Answer for the n-th request (0 = the preflight). */
    private volatile LongFunction<ScoringResponse> answer = n -> ok();
    private volatile LongFunction<Long> delayMillis = n -> 0L;
    private LocalHttpServer server;
    private RequestBodies bodies;

    @BeforeEach
    void start() throws IOException {
        server = new LocalHttpServer(request -> {
            long n = served.getAndIncrement();
            long delay = delayMillis.apply(n);
            if (delay > 0) {
                sleep(delay);
            }
            return answer.apply(n);
        });
        Path csv = Files.writeString(dir.resolve("data.csv"), "y,x,colour\n1,0.5,red\n0,0.2,blue\n");
        bodies = RequestBodies.fromCsv(csv, "y", 1, "text/csv", 42);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void closedLoopStopsAtMaxRequests() {
        LoadReport report = run(LoadTestConfig.closedLoop(4, Duration.ofSeconds(10), 200));

        assertThat(report.counts().sent()).isEqualTo(200);
        assertThat(report.counts().ok()).isEqualTo(200);
        assertThat(report.counts().errors()).isZero();
        assertThat(served.get()).isEqualTo(201); // + the unrecorded preflight
        assertThat(report.elapsedSeconds()).isLessThan(5);
        assertThat(report.latencyMillis().count()).isEqualTo(200);
        assertThat(report.perSecond().stream().mapToLong(LoadReport.SecondStats::ok).sum()).isEqualTo(200);
    }

    @Test
    void closedLoopStopsAtTheDuration() {
        delayMillis = n -> 20L;
        long start = System.nanoTime();
        LoadReport report = run(LoadTestConfig.closedLoop(2, Duration.ofMillis(1000), 1_000_000));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(seconds).isLessThan(2.0);
        assertThat(report.elapsedSeconds()).isBetween(0.95, 1.5);
        // two clients, >= 20 ms each: at most ~100 requests in one second
        assertThat(report.counts().sent()).isBetween(20L, 102L);
        assertThat(report.counts().ok()).isEqualTo(report.counts().sent());
        assertThat(report.latencyMillis().p50()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void openLoopHonoursTheRateAndTheDuration() {
        LoadReport report = run(LoadTestConfig.openLoop(100, Duration.ofSeconds(2), 1_000_000));

        // due times 0, 10, ..., 1990 ms: exactly 200 requests are scheduled
        assertThat(report.counts().sent() + report.counts().dropped()).isEqualTo(200);
        assertThat(report.counts().ok()).isGreaterThanOrEqualTo(195);
        assertThat(report.elapsedSeconds()).isBetween(1.95, 2.5);
        assertThat(report.throughput().requestsPerSecond()).isBetween(85.0, 105.0);
        assertThat(report.rate()).isEqualTo(100.0);
        assertThat(report.warnings()).anySatisfy(w -> assertThat(w).contains("kept up with the offered rate of 100.0"));
    }

    @Test
    void openLoopStopsAtMaxRequests() {
        LoadReport report = run(LoadTestConfig.openLoop(200, Duration.ofSeconds(10), 50));

        assertThat(report.counts().sent()).isEqualTo(50);
        assertThat(served.get()).isEqualTo(51);
        assertThat(report.elapsedSeconds()).isLessThan(1.0);
    }

    @Test
    void openLoopMeasuresFromTheIntendedStartSoAStallIsNotHidden() {
        // one sender: a 400 ms stall of request 5 delays the requests due behind it
        delayMillis = n -> n == 5 ? 400L : 0L;
        LoadReport report = run(LoadTestConfig.openLoop(20, Duration.ofMillis(1500), 1_000).withMaxInFlight(1));

        assertThat(report.counts().ok()).isEqualTo(30);
        assertThat(report.latencyMillis().max()).isGreaterThanOrEqualTo(400);
        assertThat(report.serviceTimeMillis().max()).isGreaterThanOrEqualTo(400);
        assertThat(report.latencyMillis().mean() - report.serviceTimeMillis().mean()).isGreaterThan(25);
        assertThat(report.latencyMillis().p90()).isGreaterThan(report.serviceTimeMillis().p90());
    }

    @Test
    void openLoopCountsRequestsThatCouldNotStartAsDropped() {
        delayMillis = n -> 100L;
        LoadReport report = run(LoadTestConfig.openLoop(50, Duration.ofSeconds(1), 1_000).withMaxInFlight(1));

        LoadReport.Counts counts = report.counts();
        assertThat(counts.sent() + counts.dropped() + counts.unfinished()).isEqualTo(50);
        assertThat(counts.sent()).isBetween(6L, 14L);
        assertThat(counts.dropped()).isGreaterThanOrEqualTo(33);
        assertThat(report.warnings()).anySatisfy(w -> assertThat(w).contains("could not keep up with 50.0 req/s"));
    }

    @Test
    void countsErrorsByStatus() {
        answer = n -> n == 0 ? ok() : n % 4 == 0 ? error(500, "boom") : n % 10 == 0 ? error(429, "slow down") : ok();
        LoadReport report = run(LoadTestConfig.closedLoop(1, Duration.ofSeconds(10), 40));

        // requests 1..40: 500 for 4, 8, ..., 40 (10); 429 for 10 and 30 (20 and 40 are already 500s)
        assertThat(report.counts().sent()).isEqualTo(40);
        assertThat(report.errorsByStatus()).containsExactly(java.util.Map.entry("429", 2L), java.util.Map.entry("500", 10L));
        assertThat(report.counts().errors()).isEqualTo(12);
        assertThat(report.counts().ok()).isEqualTo(28);
        assertThat(report.latencyMillis().count()).isEqualTo(28);
        assertThat(report.errorSamples()).containsEntry("500", "boom");
        assertThat(report.warnings()).anySatisfy(w -> assertThat(w).startsWith("30.0% of requests failed"));
    }

    @Test
    void countsTimeoutsAsErrors() {
        delayMillis = n -> n % 2 == 0 && n > 0 ? 600L : 0L;
        LoadReport report = run(LoadTestConfig.closedLoop(2, Duration.ofSeconds(10), 6).withTimeout(Duration.ofMillis(250)));

        assertThat(report.counts().sent()).isEqualTo(6);
        assertThat(report.errorsByStatus()).containsEntry("Timeout", 3L);
        assertThat(report.counts().ok()).isEqualTo(3);
    }

    @Test
    void failsBeforeLoadingWhenThePreflightIsRejected() {
        answer = n -> error(400, "row 1: 2 values, expected 19");
        assertThatThrownBy(() -> run(LoadTestConfig.closedLoop(2, Duration.ofSeconds(1), 10)))
                .isInstanceOf(LoadRun.PreflightFailedException.class)
                .hasMessageContaining("answered with HTTP 400 (row 1: 2 values, expected 19)")
                .hasMessageContaining("check --data");
        assertThat(served.get()).isEqualTo(1);
    }

    @Test
    void writesAWellFormedJsonReportAndASelfContainedHtmlPageWithTheCharts() throws IOException {
        delayMillis = n -> n % 3 == 0 ? 5L : 1L;
        LoadReport report = run(LoadTestConfig.openLoop(50, Duration.ofMillis(1500), 1_000).withInstances(2));

        List<Path> files = report.writeTo(dir.resolve("out"));
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("load-report.json", "load-report.html");
        LoadReport parsed = LoadReport.fromJson(Files.readString(files.get(0)));
        assertThat(parsed).isEqualTo(report);
        assertThat(parsed.autoscaling().instances()).isEqualTo(2);
        assertThat(parsed.autoscaling().invocationsPerInstancePerMinute())
                .isEqualTo(Math.round(parsed.throughput().maxSustainedOkPerSecond() / 2 * 0.5 * 60 * 10) / 10.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(parsed.percentiles()).isNotEmpty();
        assertThat(parsed.perSecond()).hasSizeGreaterThanOrEqualTo(2);

        String html = Files.readString(files.get(1), StandardCharsets.UTF_8);
        for (String id : List.of(LoadReportHtml.LATENCY_CHART_ID, LoadReportHtml.THROUGHPUT_CHART_ID,
                LoadReportHtml.PERCENTILE_CHART_ID)) {
            Matcher svg = Pattern.compile("<svg id=\"" + id + "\"[^>]*>(.*?)</svg>", Pattern.DOTALL).matcher(html);
            assertThat(svg.find()).as("chart %s", id).isTrue();
            assertThat(svg.group(1)).contains("<polyline class=\"series\"");
            assertWellFormedXml(svg.group(0));
        }
        assertThat(html).contains("SageMakerVariantInvocationsPerInstance").contains("p99.9");
        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("<img")
                .doesNotContainPattern("(src|href)\\s*=").doesNotContain("@import");
    }

    private static void assertWellFormedXml(String svg) {
        try {
            var document = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new java.io.ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
            assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(document.getElementsByTagName("polyline").getLength()).isPositive();
        } catch (Exception e) {
            throw new AssertionError("not well-formed SVG: " + e.getMessage() + "\n" + svg, e);
        }
    }

    private LoadReport run(LoadTestConfig config) {
        LoadTestConfig bounded = config.timeout().compareTo(Duration.ofSeconds(5)) > 0
                ? config.withTimeout(Duration.ofSeconds(5)) : config;
        return new LoadRun().run(new HttpScoringEndpoint(server.url(), bounded.timeout()), bodies, bounded, Progress.NONE);
    }

    private static ScoringResponse ok() {
        return new ScoringResponse(200, "text/csv", "0.5\n".getBytes(StandardCharsets.UTF_8));
    }

    private static ScoringResponse error(int status, String message) {
        return new ScoringResponse(status, "text/plain", message.getBytes(StandardCharsets.UTF_8));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
