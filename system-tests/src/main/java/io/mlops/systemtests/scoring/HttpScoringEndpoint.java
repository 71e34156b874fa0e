package io.mlops.systemtests.scoring;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * The model server's own HTTP API ({@code POST /invocations}, {@code GET /ping}, see
 * docs/contracts/model-container.md), e.g. {@code serve} on 127.0.0.1 in the local run or a
 * load test against any URL. HTTP/1.1 (gunicorn does not speak h2c), one shared connection pool.
 */
public final class HttpScoringEndpoint implements ScoringEndpoint {
    /** Default per-request timeout (connect + answer). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final URI invocations;
    private final URI ping;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param url     base URL ({@code http://127.0.0.1:8080}) or the full {@code /invocations} URL
     * @param timeout per-request timeout
     */
    public HttpScoringEndpoint(URI url, Duration timeout) {
        this.invocations = invocationsUrl(url);
        this.ping = invocations.resolve("ping");
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    public static HttpScoringEndpoint forUrl(URI url) {
        return new HttpScoringEndpoint(url, DEFAULT_TIMEOUT);
    }

    /**
     * The invocations URL for {@code url}: a URL without a path (or with path {@code /}) gets
     * {@code /invocations}; any other path is used as given.
     */
    public static URI invocationsUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("URL '" + url + "' is not an http(s) URL with a host; "
                    + "pass e.g. http://127.0.0.1:8080 or http://127.0.0.1:8080/invocations");
        }
        String path = url.getRawPath();
        return path == null || path.isEmpty() || path.equals("/") ? url.resolve("/invocations") : url;
    }

    public URI invocations() {
        return invocations;
    }

    @Override
    public ScoringResponse invoke(byte[] body, String contentType, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(invocations)
                .timeout(timeout)
                .POST(body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null && !contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        if (accept != null && !accept.isEmpty()) {
            request.header("Accept", accept);
        }
        HttpResponse<byte[]> response = send(request.build());
        return new ScoringResponse(response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    /** True when {@code GET /ping} answers 200 now. */
    public boolean ping() {
        try {
            return send(HttpRequest.newBuilder(ping).timeout(timeout).GET().build()).statusCode() == 200;
        } catch (EndpointUnavailableException e) {
            return false;
        }
    }

    /**
     * Polls {@code GET /ping} until it answers 200, e.g. after starting {@code serve}.
     *
     * @throws EndpointUnavailableException when it does not within {@code limit}
     */
    public void awaitReady(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!ping()) {
            if (System.nanoTime() > deadline) {
                throw new EndpointUnavailableException("NotReady", 0, "model server " + ping
                        + " did not answer GET /ping with 200 within " + limit.toSeconds()
                        + " s; check that serve started (its log) and listens on that host and port", null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EndpointUnavailableException("Interrupted", 0, "interrupted while waiting for " + ping, e);
            }
        }
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new EndpointUnavailableException("Timeout", 0, request.method() + " " + request.uri()
                    + " got no answer within " + timeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw new EndpointUnavailableException("ConnectException", 0, "cannot connect to " + request.uri()
                    + " (" + e + "); is the model server running on that host and port?", e);
        } catch (IOException e) {
            throw new EndpointUnavailableException(e.getClass().getSimpleName(), 0, request.method() + " "
                    + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EndpointUnavailableException("Interrupted", 0, "interrupted while calling " + request.uri(), e);
        }
    }

    @Override
    public String describe() {
        return "url " + invocations;
    }

    @Override
    public void close() {
        // java.net.http.HttpClient in JDK 17 has no close(); its pool is released with the object.
    }
}
