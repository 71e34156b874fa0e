package io.mlops.localrun;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SageMaker data capture in front of the local model server, where SageMaker captures it (at the endpoint, not in
 * the container): every successful invocation that goes through this endpoint is also written as one capture
 * record (SageMaker Developer Guide, "Capture data from real-time endpoint": JSON Lines,
 * {@code captureData.endpointInput/endpointOutput} with {@code observedContentType}, {@code mode}, {@code data},
 * {@code encoding}; {@code eventMetadata.eventId/inferenceTime}; {@code eventVersion}) under
 * {@code <root>/<endpoint>/<variant>/yyyy/mm/dd/hh/}, one file per hour. Encodings follow the PRD endpoint's
 * capture configuration: {@code text/csv} is captured as CSV, {@code application/json} as JSON, anything else as
 * BASE64. Requests the model rejects (4xx, 5xx) are not captured. It wraps the scoring client rather than adding
 * an HTTP hop, so the load test still measures the server (a proxy cost 3x the server's latency here).
 */
public final class CaptureEndpoint implements ScoringEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FILE = DateTimeFormatter.ofPattern("mm-ss-SSS").withZone(ZoneOffset.UTC);

    private final ScoringEndpoint target;
    private final Path root;
    private final String endpoint;
    private final String variant;
    private final Clock clock;
    private final AtomicLong records = new AtomicLong();
    private Instant currentHour;
    private BufferedWriter writer;

    private CaptureEndpoint(ScoringEndpoint target, Path root, String endpoint, String variant, Clock clock) {
        this.target = target;
        this.root = root;
        this.endpoint = endpoint;
        this.variant = variant;
        this.clock = clock;
    }

    /** Captures what goes through {@code target} into {@code root} as endpoint {@code endpoint}, variant {@code variant}. */
    public static CaptureEndpoint wrap(ScoringEndpoint target, Path root, String endpoint, String variant, Clock clock)
            throws IOException {
        Files.createDirectories(root);
        return new CaptureEndpoint(target, root, endpoint, variant, clock);
    }

    @Override
    public ScoringResponse invoke(byte[] body, String contentType, String accept) {
        ScoringResponse response = target.invoke(body, contentType, accept);
        if (response.isSuccess()) {
            try {
                capture(contentType, body, response.contentType(), response.body());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write data capture under " + root, e);
            }
        }
        return response;
    }

    @Override
    public String describe() {
        return target.describe() + " (with data capture to " + root + ")";
    }

    /** The capture root: {@code <root>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl}. */
    public Path root() {
        return root;
    }

    /** Capture records written so far. */
    public long records() {
        return records.get();
    }

    private void capture(String inputType, byte[] input, String outputType, byte[] output) throws IOException {
        Instant now = clock.instant();
        ObjectNode record = JSON.createObjectNode();
        ObjectNode data = record.putObject("captureData");
        data.set("endpointInput", part(inputType, "INPUT", input));
        data.set("endpointOutput", part(outputType, "OUTPUT", output));
        ObjectNode metadata = record.putObject("eventMetadata");
        metadata.put("eventId", UUID.randomUUID().toString());
        metadata.put("inferenceTime", DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.MILLIS)));
        record.put("eventVersion", "0");
        String line = JSON.writeValueAsString(record);
        synchronized (this) {
            Instant hour = now.truncatedTo(ChronoUnit.HOURS);
            if (writer == null || !hour.equals(currentHour)) {
                closeWriter();
                Path dir = root.resolve(endpoint).resolve(variant).resolve(HOUR.format(hour));
                Files.createDirectories(dir);
                writer = Files.newBufferedWriter(dir.resolve(FILE.format(now) + "-" + UUID.randomUUID() + ".jsonl"),
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                currentHour = hour;
            }
            writer.write(line);
            writer.write('\n');
            records.incrementAndGet();
        }
    }

    static ObjectNode part(String contentType, String mode, byte[] body) {
        ObjectNode node = JSON.createObjectNode();
        String type = contentType == null ? "application/octet-stream" : contentType;
        String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        node.put("observedContentType", type);
        node.put("mode", mode);
        if (media.equals("text/csv")) {
            node.put("data", new String(body, StandardCharsets.UTF_8));
            node.put("encoding", "CSV");
        } else if (media.equals("application/json")) {
            node.put("data", new String(body, StandardCharsets.UTF_8));
            node.put("encoding", "JSON");
        } else {
            node.put("data", Base64.getEncoder().encodeToString(body));
            node.put("encoding", "BASE64");
        }
        return node;
    }

    private void closeWriter() throws IOException {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    /** Flushes the current capture file (the monitor reads it while the server still runs). */
    public synchronized void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Closes the capture file; the wrapped endpoint is closed by its owner. */
    @Override
    public synchronized void close() {
        try {
            closeWriter();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the data capture file under " + root, e);
        }
    }
}
