package io.mlops.localrun;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.settings.RunSettings;
import io.mlops.systemtests.cli.UsageException;
import io.mlops.systemtests.endpoint.EndpointTestSettings;
import io.mlops.systemtests.load.LoadReport;
import io.mlops.systemtests.load.LoadTestConfig;
import io.mlops.systemtests.load.ProgressLine;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The local end-to-end run: the pipeline's stages on this machine, no AWS account. Each stage prints
 * {@code [n/8] name ...} when it starts and {@code [n/8] name ok (12.3 s): detail} (or {@code FAILED}) when it
 * ends, and leaves its artifacts under the work folder; the first failing stage stops the run, keeping
 * everything for inspection. The model server is always stopped by its PID: at the end, on failure, and on
 * Ctrl-C (a shutdown hook). See local-run/README.md.
 */
public final class LocalPipeline {
    public static final List<String> STAGES = List.of("ETL", "train", "evaluate", "quality gate", "register", "serve",
            "endpoint test", "load test", "monitor");
    /** The endpoint and variant name the data capture files the captured traffic under. */
    static final String CAPTURE_ENDPOINT = "local-prd";
    static final String CAPTURE_VARIANT = "AllTraffic";
    static final Duration SERVE_READY_TIMEOUT = Duration.ofSeconds(120);

    private final LocalRunOptions options;
    private final PrintStream out;
    private final boolean terminal;
    private final Clock clock;
    private final List<StageResult> results = new ArrayList<>();
    /** What the stages returned so far; only {@link #stage} sets it, with each stage's outcome. */
    private RunRecord record = RunRecord.NONE;
    private volatile ModelServerProcess server;
    /** SageMaker-style data capture in front of the server (stages 7-8), closed with it. */
    private volatile CaptureEndpoint capture;

    public LocalPipeline(LocalRunOptions options, PrintStream out, boolean terminal, Clock clock) {
        this.options = options;
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
    }

    /** The run ended at a stage; the message is that stage's. */
    private static final class RunStopped extends Exception {
        private static final long serialVersionUID = 1L;
        final StageResult stage;

        RunStopped(StageResult stage) {
            super(stage.detail());
            this.stage = stage;
        }
    }

    /** How a stage ended when it did not throw: ok, or failed in a way that lets the run record it first. */
    private record StageEnd(boolean ok, String detail) {
    }

    @FunctionalInterface
    private interface StageBody<T> {
        T run(Map<String, Path> artifacts) throws IOException;
    }

    /** How a stage ends once its outcome is kept: may still fail it (throw) or add artifacts. */
    @FunctionalInterface
    private interface StageCheck<T> {
        StageEnd check(T outcome, Map<String, Path> artifacts) throws IOException;
    }

    /** Everything checked before any stage runs; a problem here is a usage error and creates nothing. */
    private record Prepared(RunSettings settings, Path etlSettings, String group, ModelContainer container,
            CdkContext.Setting minRocAuc) {
    }

    /**
     * Runs every stage.
     *
     * @return the outcome (also written to {@code <work>/run.json}, with {@code <work>/report.html})
     * @throws UsageException when the options or settings are wrong (nothing was run or created)
     * @throws IOException    when the run's own files (run.json, report.html) cannot be written
     */
    public LocalRunResult run() throws IOException {
        Prepared prepared = prepare();
        String startedAt = clock.instant().toString();
        long start = System.nanoTime();
        Path work = Files.createDirectories(options.work());
        Files.createDirectories(work.resolve("logs"));
        out.println("local run " + options.runId() + ": " + options.dataset() + " -> " + work);
        Thread hook = new Thread(this::stopEverything, "local-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StageResult failed = null;
        try {
            stages(prepared, work);
        } catch (RunStopped stopped) {
            failed = stopped.stage;
        } finally {
            stopCapture();
            stopServer();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The JVM is exiting (Ctrl-C): the hook is running or has run and stops the server itself.
            }
        }
        for (int n = results.size() + 1; n <= STAGES.size(); n++) {
            results.add(StageResult.notRun(n, STAGES.get(n - 1)));
        }
        double wall = (System.nanoTime() - start) / 1e9;
        LocalRunResult result = new LocalRunResult(options.runId(), failed == null ? LocalRunResult.PASSED
                : LocalRunResult.FAILED, failed == null ? null : failed.number() + "/" + STAGES.size() + " " + failed.name(),
                failed == null ? null : failed.detail(), startedAt, Math.round(wall * 10) / 10.0, work.toString(),
                work.resolve(LocalRunReport.FILE).toString(), List.copyOf(results), record.metrics(),
                record.registeredFile() == null ? null : record.registeredFile().toString(),
                record.registered() == null ? null : record.registered().entry().status(), record.serverPid(),
                record.serverUrl());
        result.writeTo(work);
        LocalRunReport.write(work, result, record);
        RunSummary.print(out, result, record);
        return result;
    }

    private Prepared prepare() {
        options.validate();
        RunSettings settings;
        try {
            settings = RunSettings.parse(Files.readAllBytes(options.runSettings()), options.runSettings().toString());
        } catch (IOException e) {
            throw new UsageException("cannot read --settings " + options.runSettings() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) { // JobFailedException: the message names the file and key
            throw new UsageException(e.getMessage(), e);
        }
        Path etlSettings = options.etlSettings().orElse(options.repo().resolve(settings.etl().settingsFile()).normalize());
        if (!Files.isRegularFile(etlSettings)) {
            throw new UsageException("the ETL settings " + etlSettings + " (etl.settingsFile of " + options.runSettings()
                    + ", relative to the repository) do not exist; fix etl.settingsFile or pass --etl-settings FILE");
        }
        String group;
        try {
            JsonNode etl = Json.EVENTS.readTree(etlSettings.toFile());
            group = LocalRegistry.groupName(etl.path("name").asText(null));
        } catch (IOException e) {
            throw new UsageException("the ETL settings " + etlSettings + " are not readable JSON: " + e.getMessage(), e);
        }
        Path home = options.repo().resolve("model-container");
        Optional<String> unavailable = ModelContainer.unavailableReason(home);
        if (unavailable.isPresent()) {
            throw new UsageException("the model container cannot run here: " + unavailable.get());
        }
        if (!Files.isRegularFile(home.resolve("bin/evaluate"))) {
            throw new UsageException(home.resolve("bin/evaluate") + " is missing: the model container's evaluate entry "
                    + "point is not there");
        }
        return new Prepared(settings, etlSettings, group, new ModelContainer(home), CdkContext.minRocAuc(options.repo()));
    }

    private void stages(Prepared p, Path work) throws RunStopped {
        Path logs = work.resolve("logs");
        Path prefix = work.resolve("opt/ml");
        RunSettings settings = p.settings();
        LocalRegistry registry = new LocalRegistry(options.registry());

        EtlStage.Outcome etl = stage(1, "Spark local mode: etl/bin/run-local on " + options.dataset().getFileName(),
                Map.of("log", logs.resolve("etl.log"), "output", work.resolve("etl"),
                        "manifest", work.resolve("etl/manifest.json")),
                a -> EtlStage.run(options.repo(), options.dataset(), p.etlSettings(), settings.etl().arguments(),
                        options.runId(), work.resolve("etl"), logs.resolve("etl.log"),
                        Duration.ofMinutes(settings.etl().timeoutMinutes()), this::progress),
                RunRecord::withEtl,
                (e, a) -> ok(e.manifest().summary() + (e.skippedArguments().isEmpty() ? ""
                        : "; not used locally: " + String.join(", ", e.skippedArguments()))));

        TrainStage.Outcome train = stage(2, "model-container/bin/train, ML_PREFIX=" + prefix,
                Map.of("log", logs.resolve("train.log"), "hyperparameters", prefix.resolve("input/config/hyperparameters.json"),
                        "model", prefix.resolve("model"), "failure", prefix.resolve("output/failure")),
                a -> TrainStage.run(p.container(), etl, settings.trainingHyperparameters(), prefix,
                        logs.resolve("train.log"), Duration.ofSeconds(settings.training().maxRuntimeSeconds())),
                RunRecord::withTrain,
                (t, a) -> ok(String.format(Locale.ROOT, "validation ROC AUC %.4f, train ROC AUC %.4f (%s)",
                        t.metrics().get("validation:roc_auc"), t.metrics().getOrDefault("train:roc_auc", Double.NaN),
                        t.hyperparameters().getOrDefault("algorithm", "default algorithm"))));

        EvaluateStage.Outcome evaluation = stage(3, "model-container/bin/evaluate on model.tar.gz and the test split",
                Map.of("log", logs.resolve("evaluate.log"), "model.tar.gz", prefix.resolve("processing/input/model/model.tar.gz"),
                        "evaluation.json", prefix.resolve("processing/evaluation/evaluation.json"),
                        "report.html", prefix.resolve("processing/evaluation/report.html"),
                        "message", prefix.resolve("output/message")),
                a -> EvaluateStage.run(p.container(), train, etl, logs.resolve("evaluate.log"),
                        Duration.ofSeconds(settings.evaluation().maxRuntimeSeconds())),
                RunRecord::withEvaluation,
                (e, a) -> ok(metricLine(e)));

        Path gateFile = work.resolve("quality-gate.json");
        GateStage.Outcome gate = stage(4, "QualityGate of the Evaluate handler; champion: newest Approved in "
                        + registry.root().resolve(p.group()),
                Map.of("decision", gateFile),
                a -> {
                    GateStage.Outcome g = GateStage.run(settings.qualityGate(), evaluation, registry, p.group());
                    GateStage.write(g, gateFile);
                    return g;
                },
                RunRecord::withGate,
                (g, a) -> new StageEnd(g.passed(), g.summary()));

        RegisterStage.Outcome registered = stage(5, "local registry " + registry.root().resolve(p.group()), Map.of(),
                a -> {
                    RegisterStage.Outcome r = RegisterStage.run(registry, RegisterStage.draft(p.group(), etl, train,
                            evaluation, gate, options.dataset(), options.runId(), options.work(), clock.instant()));
                    a.put("entry", r.file());
                    return r;
                },
                RunRecord::withRegistered,
                (r, a) -> ok(r.entry().group() + " " + r.entry().label() + " " + r.entry().status() + (gate.passed() ? ""
                        : " (audit trail; not served)")));
        if (!gate.passed()) {
            StageResult g = results.get(3);
            throw new RunStopped(new StageResult(g.number(), g.name(), g.status(), g.seconds(),
                    "quality gate failed: " + gate.summary() + ". Registered for the audit trail as "
                            + registered.entry().label() + " " + registered.entry().status() + " (" + registered.file()
                            + "). Improve the model or the data, or change qualityGate in " + options.runSettings() + ".",
                    g.artifacts()));
        }

        ModelServerProcess served = stage(6, "model-container/bin/serve on 127.0.0.1:"
                        + (options.port() == 0 ? "<free port>" : options.port()),
                Map.of("log", logs.resolve("serve.log")),
                a -> {
                    try {
                        server = p.container().serve(prefix, logs.resolve("serve.log"), SERVE_READY_TIMEOUT, Map.of(),
                                options.port());
                    } catch (IllegalStateException | EndpointUnavailableException e) {
                        throw new StageFailedException(e.getMessage(), e);
                    }
                    return server;
                },
                RunRecord::withServer,
                (s, a) -> {
                    Files.writeString(work.resolve("serve.pid"), s.pid() + "\n", StandardCharsets.UTF_8);
                    a.put("pid file", work.resolve("serve.pid"));
                    return ok("pid " + s.pid() + ", " + s.url() + " answers GET /ping");
                });

        // As SageMaker captures at the endpoint: what the endpoint and load tests send is captured in front of the server.
        try {
            capture = CaptureEndpoint.wrap(served.endpoint(), work.resolve("capture"), CAPTURE_ENDPOINT, CAPTURE_VARIANT, clock);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the data capture folder " + work.resolve("capture"), e);
        }
        CaptureEndpoint captured = capture;
        CdkContext.Setting minRocAuc = p.minRocAuc();
        EndpointTestSettings endpointSettings = EndpointStage.settings(minRocAuc.value(), options.maxP99Millis(),
                etl.manifest().test().rows());
        Path endpointDir = work.resolve("endpoint-test");
        stage(7, "EndpointCheck (min ROC AUC " + minRocAuc + ", max p99 " + options.maxP99Millis() + " ms) on "
                        + served.url() + " (with data capture)",
                Map.of("report", endpointDir.resolve("report.json"), "served scores", endpointDir.resolve("served-scores.csv")),
                a -> EndpointStage.run(endpointSettings, captured, etl.split("test"), options.runId(), clock,
                        endpointDir),
                RunRecord::withEndpoint,
                (e, a) -> ok(EndpointStage.check(e, evaluation.report().value("auc").orElse(Double.NaN),
                        evaluation.evaluationFile(), endpointDir)));

        Path loadDir = work.resolve("load-test");
        stage(8, String.format(Locale.ROOT, "closed loop, %d clients, at most %s s and %d requests on %s",
                        options.loadConcurrency(), options.loadDuration().toMillis() / 1000.0, options.loadRequests(),
                        served.url()),
                Map.of("load-report.json", loadDir.resolve(LoadReport.JSON_FILE),
                        "load-report.html", loadDir.resolve(LoadReport.HTML_FILE)),
                a -> LoadStage.run(captured, etl.split("test"), LoadTestConfig.closedLoop(options.loadConcurrency(),
                        options.loadDuration(), options.loadRequests()), new ProgressLine(out, terminal, 5), clock),
                RunRecord::withLoad,
                (l, a) -> ok(LoadStage.check(l, loadDir)));

        Path monitorDir = work.resolve("monitor");
        stage(9, "model-container/bin/monitor on the captured traffic, then on a replay shifted by " + MonitorStage.SHIFTS,
                Map.of("live report", monitorDir.resolve("live/processing/monitoring/report.html"),
                        "shifted report", monitorDir.resolve("shifted/processing/monitoring/report.html"),
                        "capture", work.resolve("capture")),
                a -> {
                    capture.flush();
                    try {
                        return MonitorStage.run(p.container(), capture.root(), capture.records(), train.modelDir(),
                                etl.split("test"), CAPTURE_ENDPOINT, monitorDir, logs);
                    } catch (IllegalStateException e) {
                        throw new StageFailedException(e.getMessage(), e);
                    }
                },
                RunRecord::withMonitor,
                (m, a) -> ok(MonitorStage.check(m)));
    }

    private void stopCapture() {
        CaptureEndpoint running = capture;
        capture = null;
        if (running != null) {
            running.close();
        }
    }

    /**
     * Runs stage {@code n}: prints its start, runs it, records its result with the artifacts that exist, prints
     * its end.
     *
     * @param artifacts what the stage leaves (name to path; only those that exist are recorded); the body may add
     * @param keep      adds the body's outcome to the run's record, before {@code end} (which may still fail the stage)
     * @throws RunStopped when it failed
     */
    private <T> T stage(int n, String what, Map<String, Path> artifacts, StageBody<T> body,
            BiFunction<RunRecord, T, RunRecord> keep, StageCheck<T> end) throws RunStopped {
        String name = STAGES.get(n - 1);
        out.printf(Locale.ROOT, "[%d/%d] %s … %s%n", n, STAGES.size(), name, what);
        out.flush();
        Map<String, Path> produced = new LinkedHashMap<>(new java.util.TreeMap<>(artifacts));
        long start = System.nanoTime();
        T value;
        StageEnd outcome;
        try {
            value = body.run(produced);
            record = keep.apply(record, value);
            outcome = end.check(value, produced);
        } catch (StageFailedException e) {
            throw failed(n, name, start, e.getMessage(), produced);
        } catch (IOException | RuntimeException e) {
            String trace = stackTrace(e);
            Path log = options.work().resolve("logs/local-run.log");
            try {
                Files.writeString(log, trace, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                produced.put("stack trace", log);
            } catch (IOException logFailure) {
                e.addSuppressed(logFailure);
            }
            throw failed(n, name, start, e + (e.getSuppressed().length > 0 ? "\n" + trace : "; stack trace: " + log),
                    produced);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        StageResult result = new StageResult(n, name, outcome.ok() ? StageResult.OK : StageResult.FAILED, round(seconds),
                outcome.detail(), existing(produced));
        results.add(result);
        out.printf(Locale.ROOT, "[%d/%d] %s %s (%.1f s): %s%n", n, STAGES.size(), name, outcome.ok() ? "ok" : "FAILED",
                seconds, outcome.detail());
        return value;
    }

    private RunStopped failed(int n, String name, long start, String message, Map<String, Path> produced) {
        double seconds = (System.nanoTime() - start) / 1e9;
        StageResult result = new StageResult(n, name, StageResult.FAILED, round(seconds), message, existing(produced));
        results.add(result);
        out.printf(Locale.ROOT, "[%d/%d] %s FAILED (%.1f s)%n", n, STAGES.size(), name, seconds);
        return new RunStopped(result);
    }

    private void progress(String line) {
        out.println("      | " + line);
    }

    private static StageEnd ok(String detail) {
        return new StageEnd(true, detail);
    }

    private static Map<String, String> existing(Map<String, Path> artifacts) {
        Map<String, String> out = new LinkedHashMap<>();
        artifacts.forEach((name, path) -> {
            if (Files.exists(path)) {
                out.put(name, path.toString());
            }
        });
        return out;
    }

    private static String metricLine(EvaluateStage.Outcome e) {
        Map<String, Double> m = e.metrics();
        return String.format(Locale.ROOT, "test ROC AUC %.4f, PR AUC %.4f, F1 %.4f at threshold %.4f (%s records)",
                m.getOrDefault("auc", Double.NaN), m.getOrDefault("pr_auc", Double.NaN), m.getOrDefault("f1", Double.NaN),
                e.threshold() == null ? Double.NaN : e.threshold(), e.rows() == null ? "?" : e.rows().toString());
    }

    /** Stops the model server by its PID, once; says so. */
    private synchronized void stopServer() {
        ModelServerProcess running = server;
        if (running == null) {
            return;
        }
        server = null;
        running.close();
        out.println(running.isAlive() ? "WARNING: serve (pid " + running.pid() + ") is still running; stop it with kill "
                + running.pid() : "serve (pid " + running.pid() + ") stopped");
    }

    /** Shutdown hook (Ctrl-C, kill): the server, then any other child process of this run (ETL, train, evaluate). */
    private void stopEverything() {
        stopServer();
        ProcessHandle.current().descendants().forEach(child -> {
            System.err.println("local run: stopping child process " + child.pid()
                    + child.info().command().map(c -> " (" + c + ")").orElse(""));
            ModelServerProcess.stop(child, Duration.ofSeconds(5));
        });
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }

    private static String stackTrace(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
