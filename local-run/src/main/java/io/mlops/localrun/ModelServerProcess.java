package io.mlops.localrun;

import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.HttpScoringEndpoint;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running {@code serve} process on 127.0.0.1, known by its PID. {@link #close()} stops exactly that
 * process and the workers it forked: SIGTERM, a grace period, then SIGKILL for whatever is left.
 */
public final class ModelServerProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final ProcessHandle process;
    private final URI url;
    private final Path log;

    private ModelServerProcess(ProcessHandle process, URI url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    static ModelServerProcess awaitReady(Process process, int port, Path log, Duration timeout) {
        URI url = URI.create("http://127.0.0.1:" + port);
        ModelServerProcess server = new ModelServerProcess(process.toHandle(), url, log);
        HttpScoringEndpoint endpoint = HttpScoringEndpoint.forUrl(url);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!endpoint.ping()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("serve exited with " + process.exitValue() + " before answering GET /ping on "
                        + url + "; log: " + log + "\n" + ModelContainer.tail(log));
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new EndpointUnavailableException("NotReady", 0, "serve (pid " + process.pid()
                        + ") did not answer GET /ping on " + url + " within " + timeout.toSeconds() + " s; log: " + log
                        + "\n" + ModelContainer.tail(log), null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                server.close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for serve", e);
            }
        }
        return server;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI url() {
        return url;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A scoring endpoint for this server's {@code /invocations}. */
    public HttpScoringEndpoint endpoint() {
        return HttpScoringEndpoint.forUrl(url);
    }

    @Override
    public void close() {
        stop(process, STOP_GRACE);
    }

    /** Stops {@code process} (by its PID) and its descendants: SIGTERM, wait up to {@code grace}, then SIGKILL. */
    static void stop(ProcessHandle process, Duration grace) {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : family) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }
}
