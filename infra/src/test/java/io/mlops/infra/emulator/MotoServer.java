package io.mlops.infra.emulator;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code moto_server} (moto 5.2.1, installed by {@code bin/setup}) on 127.0.0.1 and a free port, in its own
 * process, stopped by PID (the process and its descendants). Missing {@code moto_server} fails with the fix:
 * this emulator run is part of {@code bin/test}, it is never skipped.
 */
public final class MotoServer implements AutoCloseable {
    public static final String EXECUTABLE = "moto_server";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path log;

    private MotoServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts moto and waits until it accepts connections. */
    public static MotoServer start() {
        return start(System.getenv().getOrDefault("PATH", ""));
    }

    /** Starts the {@value #EXECUTABLE} found on {@code path} (a PATH-style list of directories). */
    static MotoServer start(String path) {
        Path executable = locate(path).orElseThrow(() -> new IllegalStateException(EXECUTABLE + " is not on PATH ("
                + path + "): the pipeline emulator IT needs moto[server]==5.2.1; run bin/setup"));
        int port = freePort();
        try {
            Path log = Files.createTempFile("moto-server", ".log");
            ProcessBuilder pb = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
            MotoServer server = new MotoServer(pb.start(), port, log);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + executable + ": " + e.getMessage(), e);
        }
    }

    static Optional<Path> locate(String path) {
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, EXECUTABLE);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(EXECUTABLE + " exited with " + process.exitValue() + " before it listened on "
                        + port + ": " + logText() + " (run bin/setup to install moto[server]==5.2.1)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw new IllegalStateException(EXECUTABLE + " did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT
                + ": " + logText());
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public long pid() {
        return process.pid();
    }

    public String logText() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server by its PID (and any child the launcher left), forcibly after 10 s. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.toHandle().destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.toHandle().destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
