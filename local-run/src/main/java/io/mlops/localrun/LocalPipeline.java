package io.mlops.localrun;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.settings.RunSettings;
import io.mlops.systemtests.cli.UsageException;
import io.mlops.systemtests.data.TestData;
import io.mlops.systemtests.endpoint.EndpointCheck;
import io.mlops.systemtests.endpoint.EndpointTestReport;
import io.mlops.systemtests.endpoint.EndpointTestSettings;
import io.mlops.systemtests.load.LoadReport;
import io.mlops.systemtests.load.LoadRun;
import io.mlops.systemtests.load.LoadTestCommand;
import io.mlops.systemtests.load.LoadTestConfig;
import io.mlops.systemtests.load.ProgressLine;
import io.mlops.systemtests.load.RequestBodies;
import io.mlops.systemtests.scoring.HttpScoringEndpoint;
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

/**
 * The local end-to-end run: the pipeline's stages on this machine, no AWS account. Each stage prints
 * {@code [n/8] name ...} when it starts and {@code [n/8] name ok (12.3 s): detail} (or {@code FAILED}) when it
 * ends, and leaves its artifacts under the work folder; the first failing stage stops the run, keeping
 * everything for inspection. The model server is always stopped by its PID: at the end, on failure, and on
 * Ctrl-C (a shutdown hook). See system-tests/README.md, "Local end-to-end run".
 */
public final class LocalPipeline {
    public static final List<String> STAGES = List.of("ETL", "train", "evaluate", "quality gate", "register", "serve",
            "endpoint test", "load test");
    /** The served model must score the test split as evaluate did: the areas may differ by rounding only. */
    static final double SKEW_TOLERANCE = 1e-6;
    static final Duration SERVE_READY_TIMEOUT = Duration.ofSeconds(120);
    static final int SCORING_BATCH = 500;

    private final LocalRunOptions options;
    private final PrintStream out;
    private final boolean terminal;
    private final Clock clock;
    private final List<StageResult> results = new ArrayList<>();
    private final RunState state = new RunState();
    private volatile ModelServerProcess server;

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

    /** Everything checked before any stage runs; a problem here is a usage error and creates nothing. */
    private record Prepared(RunSettings settings, Path etlSettings, String group, ModelContainer container) {
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
                work.resolve(LocalRunReport.FILE).toString(), List.copyOf(results), metrics(),
                state.registeredFile == null ? null : state.registeredFile.toString(),
                state.registered == null ? null : state.registered.status(), state.serverPid, state.serverUrl);
        result.writeTo(work);
        LocalRunReport.write(work, result, state);
        RunSummary.print(out, result, state);
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
        return new Prepared(settings, etlSettings, group, new ModelContainer(home));
    }

    private void stages(Prepared p, Path work) throws RunStopped {
        Path logs = work.resolve("logs");
        Path prefix = work.resolve("opt/ml");
        RunSettings settings = p.settings();
        LocalRegistry registry = new LocalRegistry(options.registry());

        state.etl = stage(1, "Spark local mode: etl/bin/run-local on " + options.dataset().getFileName(),
                Map.of("log", logs.resolve("etl.log"), "output", work.resolve("etl"),
                        "manifest", work.resolve("etl/manifest.json")),
                a -> EtlStage.run(options.repo(), options.dataset(), p.etlSettings(), settings.etl().arguments(),
                        options.runId(), work.resolve("etl"), logs.resolve("etl.log"),
                        Duration.ofMinutes(settings.etl().timeoutMinutes()), this::progress),
                etl -> ok(etl.manifest().summary() + (etl.skippedArguments().isEmpty() ? ""
                        : "; not used locally: " + String.join(", ", etl.skippedArguments()))));

        state.train = stage(2, "model-container/bin/train, ML_PREFIX=" + prefix,
                Map.of("log", logs.resolve("train.log"), "hyperparameters", prefix.resolve("input/config/hyperparameters.json"),
                        "model", prefix.resolve("model"), "failure", prefix.resolve("output/failure")),
                a -> TrainStage.run(p.container(), state.etl, settings.training().hyperparametersAsStrings(), prefix,
                        logs.resolve("train.log"), Duration.ofSeconds(settings.training().maxRuntimeSeconds())),
                t -> ok(String.format(Locale.ROOT, "validation ROC AUC %.4f, train ROC AUC %.4f (%s)",
                        t.metrics().get("validation:roc_auc"), t.metrics().getOrDefault("train:roc_auc", Double.NaN),
                        t.hyperparameters().getOrDefault("algorithm", "default algorithm"))));

        state.evaluation = stage(3, "model-container/bin/evaluate on model.tar.gz and the test split",
                Map.of("log", logs.resolve("evaluate.log"), "model.tar.gz", prefix.resolve("processing/input/model/model.tar.gz"),
                        "evaluation.json", prefix.resolve("processing/evaluation/evaluation.json"),
                        "report.html", prefix.resolve("processing/evaluation/report.html"),
                        "message", prefix.resolve("output/message")),
                a -> EvaluateStage.run(p.container(), state.train, state.etl, logs.resolve("evaluate.log"),
                        Duration.ofSeconds(settings.evaluation().maxRuntimeSeconds())),
                e -> ok(metricLine(e)));

        Path gateFile = work.resolve("quality-gate.json");
        state.gate = stage(4, "QualityGate of the Evaluate handler; champion: newest Approved in " + registry.root()
                        .resolve(p.group()),
                Map.of("decision", gateFile),
                a -> {
                    GateStage.Outcome g = GateStage.run(settings.qualityGate(), state.evaluation, registry, p.group());
                    Files.writeString(gateFile, Json.EVENTS.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of(
                            "passed", g.passed(), "summary", g.summary(), "checks", g.decision().checks(),
                            "metric", g.gate().metric(), "value", g.decision().value(), "threshold", g.gate().threshold(),
                            "maxRegression", g.gate().maxRegression(),
                            "champion", g.champion().map(RegistryEntry::label).orElse("none"))), StandardCharsets.UTF_8);
                    return g;
                },
                g -> new StageEnd(g.passed(), g.summary()));

        state.registered = stage(5, "local registry " + registry.root().resolve(p.group()), Map.of(),
                a -> {
                    RegistryEntry entry = registry.register(registryDraft(p.group()));
                    state.registeredFile = registry.file(entry.group(), entry.version());
                    a.put("entry", state.registeredFile);
                    return entry;
                },
                e -> ok(e.group() + " " + e.label() + " " + e.status() + (state.gate.passed() ? ""
                        : " (audit trail; not served)")));
        if (!state.gate.passed()) {
            StageResult gate = results.get(3);
            throw new RunStopped(new StageResult(gate.number(), gate.name(), gate.status(), gate.seconds(),
                    "quality gate failed: " + state.gate.summary() + ". Registered for the audit trail as "
                            + state.registered.label() + " " + state.registered.status() + " (" + state.registeredFile
                            + "). Improve the model or the data, or change qualityGate in " + options.runSettings() + ".",
                    gate.artifacts()));
        }

        stage(6, "model-container/bin/serve on 127.0.0.1:" + (options.port() == 0 ? "<free port>" : options.port()),
                Map.of("log", logs.resolve("serve.log")),
                a -> {
                    try {
                        server = p.container().serve(prefix, logs.resolve("serve.log"), SERVE_READY_TIMEOUT, Map.of(),
                                options.port());
                    } catch (IllegalStateException | io.mlops.systemtests.scoring.EndpointUnavailableException e) {
                        throw new StageFailedException(e.getMessage(), e);
                    }
                    state.serverPid = server.pid();
                    state.serverUrl = server.url().toString();
                    Files.writeString(work.resolve("serve.pid"), server.pid() + "\n", StandardCharsets.UTF_8);
                    a.put("pid file", work.resolve("serve.pid"));
                    return server;
                },
                s -> ok("pid " + s.pid() + ", " + s.url() + " answers GET /ping"));

        double minRocAuc = "auc".equals(settings.qualityGate().metric()) ? settings.qualityGate().threshold()
                : EndpointTestSettings.DEFAULT_MIN_ROC_AUC;
        // The whole test split, not the contract's default first 5000 records: the endpoint test's ROC AUC is then over
        // the records evaluate used, and does not depend on the order of the ETL's output (an earlier ETL wrote each
        // split sorted by class: the first 5000 of 6176 test records were all negatives and the AUC was undefined).
        int maxRows = (int) Math.min(Integer.MAX_VALUE, Math.max(EndpointTestSettings.DEFAULT_MAX_ROWS,
                state.etl.manifest().test().rows()));
        EndpointTestSettings endpointSettings = new EndpointTestSettings(minRocAuc, options.maxP99Millis(),
                EndpointTestSettings.DEFAULT_BATCH_SIZE, maxRows);
        Path endpointDir = work.resolve("endpoint-test");
        stage(7, "EndpointTest (min ROC AUC " + minRocAuc + ", max p99 " + options.maxP99Millis() + " ms) on "
                        + state.serverUrl,
                Map.of("report", endpointDir.resolve("report.json"), "served scores", endpointDir.resolve("served-scores.csv")),
                a -> endpointTest(endpointSettings, endpointDir),
                r -> ok(String.format(Locale.ROOT, "%s: %d records, ROC AUC %.4f, batch p99 %.1f ms, %d/%d malformed "
                        + "requests got a 4xx; whole test split served: ROC AUC %.4f = evaluate's", r.verdict(),
                        r.counts().rows(), r.rocAuc(), r.latencyMillis().p99(), r.malformedRequests().rejectedWith4xx(),
                        r.malformedRequests().sent(), state.servedRoc.auc())));

        Path loadDir = work.resolve("load-test");
        stage(8, String.format(Locale.ROOT, "closed loop, %d clients, at most %s s and %d requests on %s",
                        options.loadConcurrency(), options.loadDuration().toMillis() / 1000.0, options.loadRequests(),
                        state.serverUrl),
                Map.of("load-report.json", loadDir.resolve(LoadReport.JSON_FILE),
                        "load-report.html", loadDir.resolve(LoadReport.HTML_FILE)),
                a -> loadTest(loadDir),
                l -> ok(String.format(Locale.ROOT, "%d requests in %.1f s, %d errors, %.1f req/s, p50 %.2f ms, p99 %.2f ms",
                        l.counts().sent(), l.elapsedSeconds(), l.counts().errors(), l.throughput().requestsPerSecond(),
                        l.latencyMillis().p50(), l.latencyMillis().p99())));
    }

    private EndpointTestReport endpointTest(EndpointTestSettings settings, Path dir) throws IOException {
        TestData test = TestData.local(state.etl.split("test"));
        HttpScoringEndpoint endpoint = server.endpoint();
        EndpointTestReport report;
        try {
            report = new EndpointCheck(settings, clock).run(endpoint, test, options.runId());
        } catch (IllegalArgumentException | io.mlops.systemtests.scoring.EndpointUnavailableException e) {
            throw new StageFailedException(e.getMessage(), e);
        }
        state.endpointTest = report;
        report.writeTo(dir);
        if (!report.passed()) {
            throw new StageFailedException("endpoint test FAIL: " + String.join("; ", report.failures()) + "; report: "
                    + dir.resolve("report.json"));
        }
        ServedScores served = ServedScores.score(endpoint, test, SCORING_BATCH);
        served.writeCsv(dir.resolve("served-scores.csv"));
        state.servedRoc = RocCurve.of(served.scores(), served.labels());
        double evaluated = state.evaluation.report().value("auc").orElse(Double.NaN);
        if (!(Math.abs(state.servedRoc.auc() - evaluated) <= SKEW_TOLERANCE)) {
            throw new StageFailedException(String.format(Locale.ROOT, "training/serving skew: the served model's ROC AUC on "
                    + "the whole test split (%d records) is %.6f but evaluate computed %.6f from the same model and split; "
                    + "serve and evaluate must score identically (scores: %s, evaluation: %s)", state.servedRoc.records(),
                    state.servedRoc.auc(), evaluated, dir.resolve("served-scores.csv"), state.evaluation.evaluationFile()));
        }
        return report;
    }

    private LoadReport loadTest(Path dir) throws IOException {
        RequestBodies bodies = RequestBodies.fromCsv(state.etl.split("test"), "y", 1, "text/csv", 42);
        LoadTestConfig config = LoadTestConfig.closedLoop(options.loadConcurrency(), options.loadDuration(),
                options.loadRequests());
        LoadReport report;
        try {
            report = new LoadRun(clock).run(server.endpoint(), bodies, config, new ProgressLine(out, terminal, 5));
        } catch (LoadRun.PreflightFailedException | io.mlops.systemtests.scoring.EndpointUnavailableException e) {
            throw new StageFailedException(e.getMessage(), e);
        }
        state.load = report;
        report.writeTo(dir);
        LoadReport.Counts c = report.counts();
        if (c.errors() > 0 || c.dropped() > 0 || c.unfinished() > 0 || c.ok() != c.sent()) {
            throw new StageFailedException(c.errors() + " errors, " + c.dropped() + " dropped and " + c.unfinished()
                    + " unfinished of " + c.sent() + " requests (" + report.errorsByStatus() + ", first messages: "
                    + report.errorSamples() + "); a local model server must answer every request; report: "
                    + dir.resolve(LoadReport.JSON_FILE));
        }
        return report;
    }

    private RegistryEntry registryDraft(String group) {
        GateStage.Outcome g = state.gate;
        Map<String, String> artifacts = new LinkedHashMap<>();
        artifacts.put("modelData", state.evaluation.modelTarGz().toString());
        artifacts.put("evaluation", state.evaluation.evaluationFile().toString());
        artifacts.put("evaluationReport", state.evaluation.reportFile().toString());
        artifacts.put("etlManifest", state.etl.manifestFile().toString());
        artifacts.put("work", options.work().toString());
        RegistryEntry.Gate gate = new RegistryEntry.Gate(g.gate().metric(), g.decision().value(), g.gate().threshold(),
                g.gate().maxRegression(), g.decision().champion().map(c -> c.label()).orElse(null),
                g.decision().champion().map(c -> c.value()).orElse(null), g.passed(), g.decision().checks());
        EtlManifest m = state.etl.manifest();
        return new RegistryEntry(group, 0, g.passed() ? RegistryEntry.PENDING : RegistryEntry.REJECTED,
                clock.instant().toString(), options.runId(), gate, EvaluateStage.metricsOf(state.evaluation),
                state.train.metrics(), state.train.hyperparameters(),
                new RegistryEntry.Dataset(options.dataset().toString(), state.etl.datasetSha256(), m.sourceMember(),
                        m.rowsRead()), artifacts);
    }

    /**
     * Runs stage {@code n}: prints its start, runs it, records its result with the artifacts that exist, prints
     * its end.
     *
     * @param artifacts what the stage leaves (name to path; only those that exist are recorded); the body may add
     * @throws RunStopped when it failed
     */
    private <T> T stage(int n, String what, Map<String, Path> artifacts, StageBody<T> body,
            java.util.function.Function<T, StageEnd> end) throws RunStopped {
        String name = STAGES.get(n - 1);
        out.printf(Locale.ROOT, "[%d/%d] %s … %s%n", n, STAGES.size(), name, what);
        out.flush();
        Map<String, Path> produced = new LinkedHashMap<>(new java.util.TreeMap<>(artifacts));
        long start = System.nanoTime();
        T value;
        StageEnd outcome;
        try {
            value = body.run(produced);
            outcome = end.apply(value);
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

    private Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (state.evaluation != null) {
            EvaluateStage.metricsOf(state.evaluation).forEach((k, v) -> m.put("test:" + k, v));
        }
        if (state.train != null) {
            m.putAll(state.train.metrics());
        }
        if (state.servedRoc != null) {
            m.put("served:auc", state.servedRoc.auc());
        }
        if (state.endpointTest != null) {
            if (state.endpointTest.rocAuc() != null) {
                m.put("endpoint-test:auc", state.endpointTest.rocAuc());
            }
            m.put("endpoint-test:p50_ms", state.endpointTest.latencyMillis().p50());
            m.put("endpoint-test:p99_ms", state.endpointTest.latencyMillis().p99());
        }
        if (state.load != null) {
            LoadReport.Counts c = state.load.counts();
            m.put("load:sent", (double) c.sent());
            m.put("load:ok", (double) c.ok());
            m.put("load:errors", (double) c.errors());
            m.put("load:requests_per_s", state.load.throughput().requestsPerSecond());
            m.put("load:p50_ms", state.load.latencyMillis().p50());
            m.put("load:p99_ms", state.load.latencyMillis().p99());
        }
        return m;
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
