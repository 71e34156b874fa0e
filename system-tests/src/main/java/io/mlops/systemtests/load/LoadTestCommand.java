package io.mlops.systemtests.load;

import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.cli.CommandLine;
import io.mlops.systemtests.cli.UsageException;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.HttpScoringEndpoint;
import io.mlops.systemtests.scoring.SageMakerScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code load-test}: the "Prod Load" tool. Loads a SageMaker endpoint (SDK, SigV4) or a plain URL
 * with request bodies sampled from a CSV, open loop at a fixed rate or closed loop with N clients,
 * bounded by duration and request count; prints a live progress line, HdrHistogram percentiles and
 * the autoscaling target the measured throughput implies; writes {@code load-report.json} and
 * {@code load-report.html}. Exit status: 0 done, 1 the target failed the preflight or could not be
 * reached, 2 usage error.
 */
public final class LoadTestCommand {
    public static final int OK = 0;
    public static final int TARGET_FAILED = 1;
    public static final int USAGE = 2;

    private LoadTestCommand() {
    }

    public static void main(String[] args) {
        CommandLine.quietSdkLogging();
        System.exit(run(args, System.out, System.err, System.console() != null));
    }

    static CommandLine commandLine() {
        return new CommandLine("load-test", "Load test a SageMaker endpoint or a model server URL; report latency "
                + "percentiles, throughput and the autoscaling target it implies.")
                .option("endpoint-name", "NAME", "target: SageMaker endpoint (InvokeEndpoint, SigV4, your AWS credentials)")
                .option("url", "URL", "target: model server URL, e.g. http://127.0.0.1:8080 (POST /invocations)")
                .option("region", "REGION", "AWS region of --endpoint-name (default: AWS_REGION / profile)")
                .option("endpoint-url", "URL", "override the SageMaker runtime API endpoint (tests, VPC endpoints)")
                .option("rate", "RPS", "open loop: requests per second, scheduled whatever the answers")
                .option("concurrency", "N", "closed loop: N clients, each sends when its last request is answered")
                .option("max-in-flight", "N", "open loop: most requests in flight (default "
                        + LoadTestConfig.DEFAULT_MAX_IN_FLIGHT + ")")
                .option("duration", "TIME", "no request starts after this, e.g. 30s, 2m (default 30s)")
                .option("max-requests", "N", "no more requests than this (default 100000)")
                .option("data", "FILE", "CSV with a header row to sample records from (required), e.g. the test split")
                .option("label-column", "NAME", "column dropped from --data if present (default y)")
                .option("rows-per-request", "K", "records per request (default 1)")
                .option("content-type", "TYPE", "text/csv (default, with header row) or application/json")
                .option("accept", "TYPE", "Accept header: text/csv (default) or application/json")
                .option("seed", "N", "sampling seed (default 42)")
                .option("timeout", "TIME", "per-request timeout (default 30s)")
                .option("instances", "N", "instances behind the endpoint, for the per-instance autoscaling target "
                        + "(default 1)")
                .option("report", "DIR", "folder for load-report.json and load-report.html (default load-report)")
                .flag("quiet", "no progress line");
    }

    /**
     * Runs the command (in-process; {@link #main} exits with the result).
     *
     * @param terminal rewrite the progress line in place (a TTY)
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        CommandLine cli = commandLine();
        LoadTestConfig config;
        RequestBodies bodies;
        Path reportDir;
        try {
            if (!cli.parseOrHelp(args, out)) {
                return OK;
            }
            config = config(cli);
            Path data = cli.path("data").orElseThrow(() -> new UsageException(
                    "--data FILE is required: a CSV with a header row, e.g. the ETL test split part-*.csv"));
            bodies = RequestBodies.fromCsv(data, cli.string("label-column", "y"), cli.intValue("rows-per-request", 1),
                    cli.string("content-type", "text/csv"), cli.longValue("seed", 42));
            reportDir = cli.path("report").orElse(Path.of("load-report"));
        } catch (UsageException | IllegalArgumentException e) {
            err.println("load-test: " + e.getMessage());
            return USAGE;
        } catch (IOException e) {
            err.println("load-test: cannot read --data: " + e);
            return USAGE;
        }
        try (ScoringEndpoint endpoint = target(cli, config)) {
            out.println("load-test: " + endpoint.describe() + ", " + describe(config) + "; " + bodies.sourceRows()
                    + " records in " + bodies.source() + (bodies.labelDropped() ? " (label column dropped)" : ""));
            Progress progress = cli.has("quiet") ? Progress.NONE : new ProgressLine(out, terminal, 5);
            LoadReport report = new LoadRun().run(endpoint, bodies, config, progress);
            List<Path> files = report.writeTo(reportDir);
            printSummary(report, out);
            out.println("reports: " + files.get(0) + ", " + files.get(1));
            return OK;
        } catch (UsageException | IllegalArgumentException e) {
            err.println("load-test: " + e.getMessage());
            return USAGE;
        } catch (EndpointUnavailableException | LoadRun.PreflightFailedException e) {
            err.println("load-test: " + e.getMessage());
            return TARGET_FAILED;
        } catch (IOException e) {
            err.println("load-test: cannot write the report to " + reportDir + ": " + e);
            return TARGET_FAILED;
        }
    }

    private static LoadTestConfig config(CommandLine cli) {
        if (cli.has("rate") == cli.has("concurrency")) {
            throw new UsageException("give exactly one of --rate RPS (open loop) or --concurrency N (closed loop)");
        }
        if (cli.has("endpoint-name") == cli.has("url")) {
            throw new UsageException("give exactly one target: --endpoint-name NAME (SageMaker) or --url URL");
        }
        if (cli.has("url") && (cli.has("region") || cli.has("endpoint-url"))) {
            throw new UsageException("--region and --endpoint-url apply to --endpoint-name only, not to --url");
        }
        if (cli.has("max-in-flight") && cli.has("concurrency")) {
            throw new UsageException("--max-in-flight applies to --rate (open loop); with --concurrency N at most N "
                    + "requests are in flight");
        }
        Duration duration = cli.duration("duration", Duration.ofSeconds(30));
        long maxRequests = cli.longValue("max-requests", 100_000);
        LoadTestConfig config = cli.has("rate")
                ? LoadTestConfig.openLoop(cli.doubleValue("rate").orElseThrow(), duration, maxRequests)
                        .withMaxInFlight(cli.intValue("max-in-flight", LoadTestConfig.DEFAULT_MAX_IN_FLIGHT))
                : LoadTestConfig.closedLoop(cli.intValue("concurrency", 1), duration, maxRequests);
        return config.withTimeout(cli.duration("timeout", Duration.ofSeconds(30)))
                .withAccept(cli.string("accept", "text/csv"))
                .withInstances(cli.intValue("instances", 1));
    }

    private static ScoringEndpoint target(CommandLine cli, LoadTestConfig config) {
        if (cli.has("url")) {
            return new HttpScoringEndpoint(cli.uri("url").orElseThrow(), config.timeout());
        }
        // The url-connection client keeps at most http.maxConnections idle connections per host
        // (JDK default 5): more concurrent requests would pay a new TLS handshake each time.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", String.valueOf(Math.max(5, config.concurrency())));
        }
        AwsClients clients = AwsClients.forCommandLine(cli.string("region"), cli.uri("endpoint-url"));
        return new SageMakerScoringEndpoint(clients.sageMakerRuntimeWithoutRetries(config.timeout()),
                cli.required("endpoint-name"), clients.region().id());
    }

    private static String describe(LoadTestConfig config) {
        String mode = config.mode() == LoadTestConfig.Mode.OPEN_LOOP
                ? String.format(Locale.ROOT, "open loop at %s req/s (max %d in flight)", trim(config.rate()),
                        config.concurrency())
                : "closed loop with " + config.concurrency() + " clients";
        return mode + ", for at most " + config.duration().toMillis() / 1000.0 + " s and " + config.maxRequests()
                + " requests";
    }

    /** The end-of-run summary, also used by the local run. */
    public static void printSummary(LoadReport report, PrintStream out) {
        LoadReport.Counts c = report.counts();
        out.printf(Locale.ROOT, "requests: %d sent in %.1f s: %d ok, %d errors%s, %d dropped, %d unfinished%n", c.sent(),
                report.elapsedSeconds(), c.ok(), c.errors(), report.errorsByStatus().isEmpty() ? "" : " "
                        + report.errorsByStatus(), c.dropped(), c.unfinished());
        out.printf(Locale.ROOT, "throughput: %.2f req/s, %.2f ok/s; max sustained %.2f ok/s (%d s window)%n",
                report.throughput().requestsPerSecond(), report.throughput().okPerSecond(),
                report.throughput().maxSustainedOkPerSecond(), report.throughput().sustainWindowSeconds());
        var l = report.latencyMillis();
        out.printf(Locale.ROOT, "latency ms (2xx%s): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                report.rate() != null ? ", from intended start" : "", l.p50(), l.p90(), l.p99(), l.p999(), l.max());
        out.println("autoscaling: " + report.autoscaling().explanation());
        for (String warning : report.warnings()) {
            out.println("warning: " + warning);
        }
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
