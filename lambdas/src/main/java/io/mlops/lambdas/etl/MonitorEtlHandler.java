package io.mlops.lambdas.etl;

import io.mlops.contract.RunPaths;
import io.mlops.contract.actions.MonitorEtl;
import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * <b>MonitorEtl</b>: polls the Glue run started by LaunchEtl with continuation tokens and, when it
 * succeeded, exports the split row counts from its {@code manifest.json}.
 *
 * <p>STARTING/RUNNING/STOPPING/WAITING: the action stays in progress with a summary like
 * "Glue run jr_… RUNNING for 3m 12s" (continuation state {@link Poll}). SUCCEEDED: reads
 * {@code s3://ARTIFACT_BUCKET/runs/<exec>/etl/manifest.json} (docs/contracts/etl-job.md), checks the
 * invariant {@code rowsRead = train + validation + test + rejected.total + duplicates} and that the train,
 * validation and test splits are not empty, and exports the counts. FAILED/ERROR/TIMEOUT/STOPPED/EXPIRED:
 * fails the action with Glue's error message, the state and where the logs are (Glue continuous logging:
 * log groups {@code /aws-glue/jobs/error} and {@code /aws-glue/jobs/output}, log stream = run id).
 *
 * <p><b>User parameters</b> ({@link MonitorEtlParams}): {@code executionId} (required,
 * {@code #{codepipeline.PipelineExecutionId}}), {@code jobRunId} (required, {@code #{EtlLaunch.JobRunId}}).
 *
 * <p><b>Output variables</b>: {@code RowsRead}, {@code TrainRows}, {@code ValidationRows}, {@code TestRows},
 * {@code RejectedRows}, {@code Duplicates}, {@code DatasetSha256}, {@code EtlOutputUri}.
 *
 * <p><b>Environment</b>: {@code GLUE_JOB_NAME}, {@code ARTIFACT_BUCKET}, {@code AWS_REGION}.
 *
 * <p><b>IAM</b>: {@code glue:GetJobRun} on {@code arn:aws:glue:<region>:<account>:job/<GLUE_JOB_NAME>};
 * {@code s3:GetObject} on {@code arn:aws:s3:::<ARTIFACT_BUCKET>/runs/*}; {@code kms:Decrypt} on the artifact
 * bucket key; {@code codepipeline:PutJobSuccessResult}/{@code PutJobFailureResult} (resource {@code *}).
 */
public final class MonitorEtlHandler extends PipelineJobHandler<MonitorEtlParams> {

    /** Continuation state: how many times this action has polled the run. */
    public record Poll(int polls) {
    }

    /**
     * What the handler works with: its configuration, the SDK clients (built once per container) and
     * the clock of the elapsed time in the summary. Tests build it with {@link #of} on a local stub.
     */
    public record Deps(HandlerConfig<MonitorEtlConfig> config, CodePipelineClient codePipeline, GlueClient glue,
            S3Client s3, Clock clock) {
        /** Lambda: the configuration and the clients (region, credentials) from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(env, ClientFactory.fromEnv(env), Clock.systemUTC());
        }

        /** The configuration read from {@code env}, the clients from {@code clients}. */
        public static Deps of(HandlerEnv env, ClientFactory clients, Clock clock) {
            return new Deps(HandlerConfig.fromEnv(env, MonitorEtlConfig::from), clients.codePipeline(), clients.glue(),
                    clients.s3(), clock);
        }
    }

    private final HandlerConfig<MonitorEtlConfig> config;
    private final GlueClient glue;
    private final S3Client s3;
    private final Clock clock;

    /** Lambda entry point: clients built once per container from the function's environment. */
    public MonitorEtlHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: explicit configuration, clients and clock. */
    public MonitorEtlHandler(Deps deps) {
        super(MonitorEtlParams.class, deps.codePipeline());
        this.config = deps.config();
        this.glue = deps.glue();
        this.s3 = deps.s3();
        this.clock = deps.clock();
    }

    @Override
    protected JobOutcome run(PipelineJob<MonitorEtlParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        MonitorEtlParams p = job.params();
        MonitorEtlConfig cfg = config.get();
        String glueJob = cfg.glueJobName();
        String artifactBucket = cfg.artifactBucket();
        int polls = job.isContinuation() ? job.continuation(Poll.class).polls() : 0;

        JobRun run;
        try {
            run = glue.getJobRun(r -> r.jobName(glueJob).runId(p.jobRunId())).jobRun();
        } catch (EntityNotFoundException e) {
            throw JobFailedException.jobFailed("Glue run " + p.jobRunId() + " of job '" + glueJob + "' was not found ("
                    + e.awsErrorDetails().errorMessage() + "). Glue keeps job run history for 365 days (GetJobRun API Reference); if the run id is "
                    + "right, Retry the ETL stage so LaunchEtl starts a new run.");
        }
        String runExec = run.hasArguments() ? run.arguments().get("--execution-id") : null;
        if (runExec != null && !runExec.equals(p.executionId())) {
            throw JobFailedException.configuration("Glue run " + p.jobRunId() + " belongs to pipeline execution " + runExec
                    + ", not to this execution " + p.executionId() + ". The action's jobRunId must be the LaunchEtl "
                    + "output variable of the same execution (#{EtlLaunch.JobRunId}); fix the pipeline definition.");
        }
        String state = run.jobRunStateAsString();
        String elapsed = formatDuration(elapsed(run));
        String outputUri = RunPaths.s3Uri(artifactBucket, RunPaths.etl(p.executionId()));
        log.info("Glue run state", Map.of("jobRunId", p.jobRunId(), "state", String.valueOf(state), "polls", polls + 1));
        if (run.jobRunState() == null) {
            throw JobFailedException.jobFailed("Glue run " + p.jobRunId() + " of job '" + glueJob + "' reports state '"
                    + state + "', which this handler does not know. Check the run in the Glue console; update the "
                    + "lambdas module if Glue added a state.");
        }
        return switch (run.jobRunState()) {
            case STARTING, RUNNING, STOPPING, WAITING -> JobOutcome.inProgress("Glue run " + p.jobRunId() + " " + state
                    + " for " + elapsed + " (poll " + (polls + 1) + ")", new Poll(polls + 1));
            case SUCCEEDED -> succeeded(p, run, artifactBucket, outputUri, elapsed);
            case FAILED, ERROR, TIMEOUT, STOPPED, EXPIRED -> throw JobFailedException.jobFailed(failure(glueJob, run, elapsed));
            default -> throw JobFailedException.jobFailed("Glue run " + p.jobRunId() + " of job '" + glueJob
                    + "' reports state '" + state + "', which this handler does not know. Check the run in the Glue "
                    + "console; update the lambdas module if Glue added a state.");
        };
    }

    private JobOutcome succeeded(MonitorEtlParams p, JobRun run, String bucket, String outputUri, String elapsed) {
        String key = RunPaths.etlManifest(p.executionId());
        String manifestUri = "s3://" + bucket + "/" + key;
        byte[] bytes;
        try {
            bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw JobFailedException.jobFailed("Glue run " + run.id() + " SUCCEEDED but wrote no manifest at " + manifestUri
                    + ", so the split counts are unknown and training cannot trust the output. The ETL job must write "
                    + "manifest.json last (docs/contracts/etl-job.md); check its output log (log group /aws-glue/jobs/output, "
                    + "stream " + run.id() + ") and that --output was " + outputUri + ".");
        }
        Manifest m = Manifest.parse(bytes, manifestUri);
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put(MonitorEtl.Output.RowsRead.name(), Long.toString(m.rowsRead()));
        vars.put(MonitorEtl.Output.TrainRows.name(), Long.toString(m.train()));
        vars.put(MonitorEtl.Output.ValidationRows.name(), Long.toString(m.validation()));
        vars.put(MonitorEtl.Output.TestRows.name(), Long.toString(m.test()));
        vars.put(MonitorEtl.Output.RejectedRows.name(), Long.toString(m.rejected()));
        vars.put(MonitorEtl.Output.Duplicates.name(), Long.toString(m.duplicates()));
        vars.put(MonitorEtl.Output.DatasetSha256.name(), m.sha256());
        vars.put(MonitorEtl.Output.EtlOutputUri.name(), outputUri);
        return JobOutcome.succeeded("Glue run " + run.id() + " SUCCEEDED in " + elapsed + ": " + m.rowsRead() + " rows read -> train "
                + m.train() + ", validation " + m.validation() + ", test " + m.test() + ", rejected " + m.rejected()
                + ", duplicates " + m.duplicates() + "; output " + outputUri, vars);
    }

    private static String failure(String glueJob, JobRun run, String elapsed) {
        String base = run.logGroupName() == null || run.logGroupName().isBlank() ? "/aws-glue/jobs"
                : run.logGroupName().replaceAll("/+$", "");
        String error = run.errorMessage() == null || run.errorMessage().isBlank() ? "Glue gave no error message"
                : "Glue says: " + run.errorMessage().strip();
        String hint = switch (run.jobRunState()) {
            case TIMEOUT -> " The run hit its timeout of " + run.timeout() + " minutes: raise etl.timeoutMinutes (or "
                    + "etl.numberOfWorkers) in config/run-settings.json and push, or Retry the stage.";
            case STOPPED -> " Someone or something stopped the run (BatchStopJobRun); Retry the stage to start a new one.";
            case EXPIRED -> " The run expired before it could start (queued too long); Retry the stage.";
            default -> " Fix the cause (the dataset, etl.settingsFile or the ETL code), push or Retry the stage; a Retry "
                    + "starts a new run for this execution.";
        };
        return "Glue run " + run.id() + " of job '" + glueJob + "' ended " + run.jobRunStateAsString() + " after " + elapsed
                + ". " + error + (error.endsWith(".") ? "" : ".") + " Logs: CloudWatch log groups " + base + "/error and "
                + base + "/output, log stream " + run.id() + "." + hint;
    }

    private Duration elapsed(JobRun run) {
        if (run.startedOn() == null) {
            return Duration.ZERO;
        }
        Instant end = run.completedOn() != null ? run.completedOn() : clock.instant();
        Duration d = Duration.between(run.startedOn(), end);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** "45s", "3m 12s", "1h 05m 09s". */
    static String formatDuration(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        return String.format("%dh %02dm %02ds", s / 3600, (s % 3600) / 60, s % 60);
    }

    /** The fields of {@code manifest.json} the pipeline reads (docs/contracts/etl-job.md). */
    record Manifest(long rowsRead, long train, long validation, long test, long rejected, long duplicates, String sha256) {

        static Manifest parse(byte[] bytes, String uri) {
            JsonNode root;
            try {
                root = Json.EVENTS.readTree(bytes);
            } catch (IOException e) {
                throw JobFailedException.jobFailed("ETL manifest " + uri + " is not valid JSON ("
                        + e.getMessage().lines().findFirst().orElse("") + "); the ETL job wrote a broken manifest. "
                        + "Check the ETL job against docs/contracts/etl-job.md.");
            }
            if (root == null || !root.isObject()) {
                throw JobFailedException.jobFailed("ETL manifest " + uri + " is not a JSON object; see docs/contracts/etl-job.md.");
            }
            Manifest m = new Manifest(count(root, "rowsRead", uri), count(root, "splits.train.rows", uri),
                    count(root, "splits.validation.rows", uri), count(root, "splits.test.rows", uri),
                    count(root, "rejected.total", uri), count(root, "duplicates", uri), text(root, "source.sha256", uri));
            long sum = m.train + m.validation + m.test + m.rejected + m.duplicates;
            if (sum != m.rowsRead) {
                throw JobFailedException.jobFailed("ETL manifest " + uri + " breaks the invariant rowsRead = train + "
                        + "validation + test + rejected.total + duplicates: " + m.rowsRead + " != " + m.train + " + "
                        + m.validation + " + " + m.test + " + " + m.rejected + " + " + m.duplicates + " = " + sum
                        + ", so rows were lost or counted twice. This is an ETL job bug; do not train on this output.");
            }
            for (Map.Entry<String, Long> split : Map.of("train", m.train, "validation", m.validation, "test", m.test).entrySet()) {
                if (split.getValue() == 0) {
                    throw JobFailedException.jobFailed("ETL manifest " + uri + " reports an empty " + split.getKey()
                            + " split (rowsRead " + m.rowsRead + ", rejected " + m.rejected + ", duplicates " + m.duplicates
                            + "); training and evaluation need rows in train, validation and test. Check the dataset "
                            + "and the split in the ETL settings.");
                }
            }
            return m;
        }

        private static JsonNode at(JsonNode root, String path) {
            JsonNode node = root;
            for (String part : path.split("\\.")) {
                node = node.path(part);
            }
            return node;
        }

        private static long count(JsonNode root, String path, String uri) {
            JsonNode node = at(root, path);
            if (!node.canConvertToExactIntegral() || node.asLong() < 0 || !node.isNumber()) {
                throw JobFailedException.jobFailed("ETL manifest " + uri + " has no non-negative integer '" + path
                        + "' (found " + (node.isMissingNode() ? "nothing" : node.toString()) + "); the ETL job must "
                        + "write it (docs/contracts/etl-job.md).");
            }
            return node.asLong();
        }

        private static String text(JsonNode root, String path, String uri) {
            JsonNode node = at(root, path);
            if (!node.isTextual() || node.asText().isBlank()) {
                throw JobFailedException.jobFailed("ETL manifest " + uri + " has no text '" + path + "' (found "
                        + (node.isMissingNode() ? "nothing" : node.toString()) + "); the ETL job must write it "
                        + "(docs/contracts/etl-job.md).");
            }
            return node.asText();
        }
    }
}
