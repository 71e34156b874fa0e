package io.mlops.localrun;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SageMaker data capture in front of the local model server, as SageMaker captures at the endpoint (not in the
 * container): forwards {@code GET /ping} and {@code POST /invocations} to the server and writes each successful
 * invocation as one capture record (SageMaker Developer Guide, "Capture data from real-time endpoint": JSON Lines,
 * {@code captureData.endpointInput/endpointOutput} with {@code observedContentType}, {@code mode}, {@code data},
 * {@code encoding}; {@code eventMetadata.eventId/inferenceTime}; {@code eventVersion}) under
 * {@code <root>/<endpoint>/<variant>/yyyy/mm/dd/hh/}, one file per hour. Encodings follow the PRD endpoint's
 * capture configuration: {@code text/csv} is captured as CSV, {@code application/json} as JSON, anything else
 * as BASE64. Binds 127.0.0.1 on a free port; {@link #close} stops it.
 */
public final class CaptureProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FILE = DateTimeFormatter.ofPattern("mm-ss-SSS").withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final ExecutorService threads;
    private final HttpClient client;
    private final URI target;
    private final Path root;
    private final String endpoint;
    private final String variant;
    private final Clock clock;
    private final AtomicLong records = new AtomicLong();
    private Instant currentHour;
    private BufferedWriter writer;

    private CaptureProxy(URI target, Path root, String endpoint, String variant, Clock clock, int threadCount) throws IOException {
        this.target = target;
        this.root = root;
        this.endpoint = endpoint;
        this.variant = variant;
        this.clock = clock;
        this.threads = Executors.newFixedThreadPool(threadCount);
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a proxy to {@code target} that captures into {@code root} as endpoint {@code endpoint}, variant {@code variant}. */
    public static CaptureProxy start(URI target, Path root, String endpoint, String variant, Clock clock) throws IOException {
        Files.createDirectories(root);
        return new CaptureProxy(target, root, endpoint, variant, clock, 16);
    }

    /** The proxy's base URL (use it instead of the server's). */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The capture root: {@code <root>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl}. */
    public Path root() {
        return root;
    }

    /** Capture records written so far. */
    public long records() {
        return records.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().getRawPath()))
                    .timeout(Duration.ofSeconds(60));
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            if (accept != null) {
                request.header("Accept", accept);
            }
            request.method(exchange.getRequestMethod(), body.length == 0 && !"POST".equals(exchange.getRequestMethod())
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            } catch (IOException e) {
                byte[] message = ("capture proxy: model server unreachable: " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(502, message.length);
                exchange.getResponseBody().write(message);
                return;
            }
            String responseType = response.headers().firstValue("Content-Type").orElse(null);
            if (responseType != null) {
                exchange.getResponseHeaders().set("Content-Type", responseType);
            }
            byte[] out = response.body();
            exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
            if ("POST".equals(exchange.getRequestMethod()) && exchange.getRequestURI().getPath().equals("/invocations")
                    && response.statusCode() / 100 == 2) {
                capture(contentType, body, responseType, out);
            }
        }
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
            if (!hour.equals(currentHour)) {
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

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close a capture file under " + root, e);
            }
            writer = null;
        }
    }

    /** Flushes the current capture file (the monitor may read it while the proxy runs). */
    public synchronized void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        synchronized (this) {
            closeWriter();
        }
    }
}
