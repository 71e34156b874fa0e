package io.mlops.localrun;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The model container's entry points run as local processes (docs/contracts/model-container.md):
 * {@code train} and {@code serve} from {@code model-container/bin/} with Debian's
 * {@code /usr/bin/python3} and {@code ML_PREFIX} pointing at a local {@code /opt/ml} layout. Used by
 * the real-server tests and meant for the local end-to-end run.
 */
public final class ModelContainer {
    /** Always Debian's interpreter: the python3 first on PATH may lack scikit-learn. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private final Path home;

    /** @param home the {@code model-container/} folder */
    public ModelContainer(Path home) {
        Optional<String> missing = unavailableReason(home);
        if (missing.isPresent()) {
            throw new IllegalStateException(missing.get());
        }
        this.home = home.toAbsolutePath().normalize();
    }

    /**
     * Why the container cannot run here, or empty when it can: the interpreter, the entry points and
     * the Python packages they import are checked.
     */
    public static Optional<String> unavailableReason(Path home) {
        if (!Files.isExecutable(PYTHON)) {
            return Optional.of(PYTHON + " is missing: install Debian's python3 (bin/setup)");
        }
        for (String entry : List.of("train", "serve")) {
            if (!Files.isRegularFile(home.resolve("bin").resolve(entry))) {
                return Optional.of(home.toAbsolutePath().normalize() + "/bin/" + entry
                        + " is missing: the model container's entry points are not there");
            }
        }
        try {
            Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import sklearn, pandas, numpy")
                    .redirectErrorStream(true).start();
            if (!check.waitFor(60, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                return Optional.of(PYTHON + " did not import sklearn, pandas, numpy within 60 s");
            }
            if (check.exitValue() != 0) {
                String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                return Optional.of(PYTHON + " cannot import sklearn, pandas, numpy (" + output
                        + "); install python3-sklearn python3-pandas (bin/setup)");
            }
        } catch (IOException e) {
            return Optional.of("cannot run " + PYTHON + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking " + PYTHON);
        }
        return Optional.empty();
    }

    public Path home() {
        return home;
    }

    /**
     * Runs {@code train} on {@code <mlPrefix>/input/data/{train,validation}} and
     * {@code <mlPrefix>/input/config/hyperparameters.json}; the model lands in {@code <mlPrefix>/model}.
     *
     * @param log file for the process's output
     * @throws IllegalStateException with the container's failure reason and the log's tail when it fails
     */
    public void train(Path mlPrefix, Path log, Duration timeout) throws IOException {
        runJob("train", mlPrefix, "failure", log, timeout);
    }

    /**
     * Runs {@code evaluate} (the Processing job's entry point) on {@code <mlPrefix>/processing/input/model/}
     * ({@code model.tar.gz} or a model directory) and {@code <mlPrefix>/processing/input/test/}; it writes
     * {@code <mlPrefix>/processing/evaluation/{evaluation.json,report.html}}.
     *
     * @param log file for the process's output
     * @throws IllegalStateException with the container's message ({@code output/message}) and the log's tail
     *                               when it fails or times out
     */
    public void evaluate(Path mlPrefix, Path log, Duration timeout) throws IOException {
        Path entry = home.resolve("bin").resolve("evaluate");
        if (!Files.isRegularFile(entry)) {
            throw new IllegalStateException(entry + " is missing: the model container's evaluate entry point is not there");
        }
        runJob("evaluate", mlPrefix, "message", log, timeout);
    }

    /**
     * Runs {@code monitor} (the drift monitor's Processing job entry point) on
     * {@code <mlPrefix>/processing/input/{capture,model}/}; it writes
     * {@code <mlPrefix>/processing/monitoring/{report.json,report.html,metrics.json}}. An alarm is a result (exit 0).
     *
     * @throws IllegalStateException with the container's message ({@code output/message}) and the log's tail
     */
    public void monitor(Path mlPrefix, Path log, Duration timeout) throws IOException {
        runJob("monitor", mlPrefix, "message", log, timeout);
    }

    /**
     * Runs one job entry point with {@code ML_PREFIX=mlPrefix} and waits; a non-zero exit becomes an
     * IllegalStateException with the container's reason ({@code <mlPrefix>/output/<reasonFile>}) and the log's tail.
     */
    private void runJob(String entry, Path mlPrefix, String reasonFile, Path log, Duration timeout) throws IOException {
        Process process = start(entry, Map.of("ML_PREFIX", mlPrefix.toAbsolutePath().toString()), log);
        await(process, entry, timeout, log);
        if (process.exitValue() != 0) {
            Path reason = mlPrefix.resolve("output").resolve(reasonFile);
            String text = Files.isRegularFile(reason) ? Files.readString(reason).strip() : "(no output/" + reasonFile + " file)";
            throw new IllegalStateException(entry + " exited with " + process.exitValue() + ": " + text + "; log: " + log
                    + "\n" + tail(log));
        }
    }

    /**
     * Runs {@code tools/capture_replay.py}: the rows of {@code split} (one CSV, label first), shifted by
     * {@code shifts} and scored with {@code modelDir}, as SageMaker capture files under {@code outDir}.
     */
    public void captureReplay(Path split, Path outDir, Path modelDir, java.util.List<String> shifts, String endpoint,
            Path log, Duration timeout) throws IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(PYTHON.toString(),
                home.resolve("tools").resolve("capture_replay.py").toString(), split.toString(), outDir.toString(),
                "--model", modelDir.toString(), "--endpoint", endpoint));
        for (String shift : shifts) {
            command.add("--shift");
            command.add(shift);
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await(process, "capture_replay.py", timeout, log);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("capture_replay.py exited with " + process.exitValue() + "; log: " + log
                    + "\n" + tail(log));
        }
    }

    private static void await(Process process, String what, Duration timeout, Path log) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ModelServerProcess.stop(process.toHandle(), Duration.ofSeconds(5));
                throw new IllegalStateException(what + " did not finish within " + timeout.toSeconds() + " s; log: " + log
                        + "\n" + tail(log));
            }
        } catch (InterruptedException e) {
            ModelServerProcess.stop(process.toHandle(), Duration.ofSeconds(5));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " ran", e);
        }
    }

    /**
     * Starts {@code serve} on 127.0.0.1 and a free port for the model in {@code <mlPrefix>/model} and
     * waits until {@code GET /ping} answers.
     *
     * @param extraEnv more environment, e.g. {@code SERVE_WORKERS}
     * @throws IllegalStateException when it exits or does not answer in time (with the log's tail)
     */
    public ModelServerProcess serve(Path mlPrefix, Path log, Duration readyTimeout, Map<String, String> extraEnv)
            throws IOException {
        return serve(mlPrefix, log, readyTimeout, extraEnv, 0);
    }

    /**
     * As {@link #serve(Path, Path, Duration, Map)} on a given port of 127.0.0.1.
     *
     * @param port 1-65535, or 0 for a free port
     */
    public ModelServerProcess serve(Path mlPrefix, Path log, Duration readyTimeout, Map<String, String> extraEnv,
            int port) throws IOException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, or 0 for a free port; received " + port);
        }
        port = port == 0 ? freePort() : port;
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("ML_PREFIX", mlPrefix.toAbsolutePath().toString());
        env.put("SAGEMAKER_BIND_TO_PORT", String.valueOf(port));
        env.put("SERVE_HOST", "127.0.0.1");
        env.putIfAbsent("SERVE_GRACEFUL_TIMEOUT", "5");
        Process process = start("serve", env, log);
        return ModelServerProcess.awaitReady(process, port, log, readyTimeout);
    }

    private Process start(String entry, Map<String, String> env, Path log) throws IOException {
        Path script = home.resolve("bin").resolve(entry);
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(script + " is missing: the model container's " + entry + " entry point is not there");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(PYTHON.toString(), home.resolve("bin").resolve(entry).toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The last lines of a log, for error messages. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
