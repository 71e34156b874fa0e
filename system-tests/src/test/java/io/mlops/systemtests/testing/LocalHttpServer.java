package io.mlops.systemtests.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A JDK HTTP server on 127.0.0.1 and a free port, answering {@code POST /invocations} with a
 * function of the request and {@code GET /ping} with 200. Close it to stop it.
 */
public final class LocalHttpServer implements AutoCloseable {
    /** One request as the server saw it. */
    public record Request(String contentType, String accept, byte[] body) {
    }

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK: every answer would take ~40 ms. Read once, when the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(32);

    public LocalHttpServer(Function<Request, ScoringResponse> handler) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/invocations", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                ScoringResponse response = handler.apply(new Request(
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Accept"), body));
                send(exchange, response);
            }
        });
        server.createContext("/ping", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** Serves the {@link FakeModel}. */
    public static LocalHttpServer of(FakeModel model) {
        return new LocalHttpServer(r -> model.invoke(r.contentType(), r.accept(), r.body()));
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void send(HttpExchange exchange, ScoringResponse response) throws IOException {
        if (!response.contentType().isEmpty()) {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
        }
        exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
        if (response.body().length > 0) {
            exchange.getResponseBody().write(response.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
