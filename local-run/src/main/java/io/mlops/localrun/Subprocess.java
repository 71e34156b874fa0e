package io.mlops.localrun;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A command run to completion with a time limit: its output (stdout and stderr merged) goes line by line
 * to a log file and to an optional listener (live progress). On timeout or interrupt it is stopped by its
 * PID, with its descendants ({@link ModelServerProcess#stop}).
 */
final class Subprocess {
    private Subprocess() {
    }

    /** How it ended. {@code timedOut}: stopped after {@code timeout}; the exit code is then meaningless. */
    record Exit(int code, boolean timedOut) {
        boolean ok() {
            return !timedOut && code == 0;
        }
    }

    static Exit run(List<String> command, Map<String, String> env, Path workingDir, Path log, Duration timeout,
            Consumer<String> lines) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        AtomicReference<IOException> copyFailure = new AtomicReference<>();
        Thread pump = new Thread(() -> {
            try {
                pump(process, log, lines);
            } catch (IOException e) {
                copyFailure.set(e);
            }
        }, "log-" + Path.of(command.get(0)).getFileName());
        pump.setDaemon(true);
        pump.start();
        try {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                ModelServerProcess.stop(process.toHandle(), Duration.ofSeconds(5));
            }
            pump.join(10_000);
            if (copyFailure.get() != null) {
                throw new IOException("cannot copy the output of " + command.get(0) + " (pid " + process.pid() + ") to "
                        + log + ": " + copyFailure.get().getMessage(), copyFailure.get());
            }
            return finished ? new Exit(process.exitValue(), false) : new Exit(-1, true);
        } catch (InterruptedException e) {
            ModelServerProcess.stop(process.toHandle(), Duration.ofSeconds(5));
            Thread.currentThread().interrupt();
            throw new StageFailedException("interrupted while running " + command.get(0) + "; log: " + log, e);
        }
    }

    private static void pump(Process process, Path log, Consumer<String> lines) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                lines.accept(line);
            }
        }
    }
}
