package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local data capture writes SageMaker's capture format where SageMaker would put it. */
class CaptureEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    static ScoringEndpoint answering(int status, String contentType, String body) {
        return new ScoringEndpoint() {
            @Override
            public ScoringResponse invoke(byte[] b, String type, String accept) {
                return new ScoringResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public String describe() {
                return "stub";
            }

            @Override
            public void close() {
            }
        };
    }

    static List<JsonNode> records(Path root) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    @Test
    void writesEachSuccessfulInvocationAsACaptureRecordUnderEndpointVariantAndHour(@TempDir Path dir) throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-03T14:59:59.500Z"));
        try (CaptureEndpoint capture = CaptureEndpoint.wrap(answering(200, "text/csv; charset=utf-8", "0.12\n0.34\n"),
                dir, "local-prd", "AllTraffic", clock)) {
            capture.invoke("30,admin.\n41,student\n".getBytes(StandardCharsets.UTF_8), "text/csv", "text/csv");
            clock.now.set(Instant.parse("2026-12-03T15:00:00.100Z"));
            capture.invoke("{\"age\": 30}".getBytes(StandardCharsets.UTF_8), "application/json", "application/json");
            capture.invoke(new byte[] {1, 2, 3}, "application/x-npy", "text/csv");
            assertThat(capture.records()).isEqualTo(3);
        }

        assertThat(dir.resolve("local-prd/AllTraffic/2026/12/03/14")).isDirectory();
        assertThat(dir.resolve("local-prd/AllTraffic/2026/12/03/15")).isDirectory();
        List<JsonNode> records = records(dir);
        assertThat(records).hasSize(3);
        JsonNode first = records.get(0);
        assertThat(first.at("/captureData/endpointInput/observedContentType").asText()).isEqualTo("text/csv");
        assertThat(first.at("/captureData/endpointInput/mode").asText()).isEqualTo("INPUT");
        assertThat(first.at("/captureData/endpointInput/encoding").asText()).isEqualTo("CSV");
        assertThat(first.at("/captureData/endpointInput/data").asText()).isEqualTo("30,admin.\n41,student\n");
        assertThat(first.at("/captureData/endpointOutput/mode").asText()).isEqualTo("OUTPUT");
        assertThat(first.at("/captureData/endpointOutput/data").asText()).isEqualTo("0.12\n0.34\n");
        assertThat(first.at("/eventMetadata/inferenceTime").asText()).isEqualTo("2026-12-03T14:59:59.500Z");
        assertThat(first.at("/eventMetadata/eventId").asText()).hasSize(36);
        assertThat(first.path("eventVersion").asText()).isEqualTo("0");
        assertThat(records.get(1).at("/captureData/endpointInput/encoding").asText()).isEqualTo("JSON");
        assertThat(records.get(2).at("/captureData/endpointInput/encoding").asText()).isEqualTo("BASE64");
        assertThat(records.get(2).at("/captureData/endpointInput/data").asText()).isEqualTo("AQID");
    }

    @Test
    void requestsTheModelRejectsAreNotCaptured(@TempDir Path dir) throws Exception {
        try (CaptureEndpoint capture = CaptureEndpoint.wrap(answering(400, "text/plain", "row 1: 3 fields, expected 19"),
                dir, "local-prd", "AllTraffic", Clock.systemUTC())) {
            ScoringResponse response = capture.invoke("a,b,c".getBytes(StandardCharsets.UTF_8), "text/csv", "text/csv");
            assertThat(response.status()).isEqualTo(400);
            assertThat(capture.records()).isZero();
        }
        assertThat(records(dir)).isEmpty();
    }

    @Test
    void keepsCapturingAfterItWasClosedByAStage(@TempDir Path dir) throws Exception {
        CaptureEndpoint capture = CaptureEndpoint.wrap(answering(200, "text/csv", "0.5\n"), dir, "e", "v", Clock.systemUTC());
        capture.invoke("1".getBytes(StandardCharsets.UTF_8), "text/csv", "text/csv");
        capture.close();
        capture.invoke("2".getBytes(StandardCharsets.UTF_8), "text/csv", "text/csv");
        capture.close();
        assertThat(records(dir)).hasSize(2);
    }
}
