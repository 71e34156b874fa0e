package io.mlops.lambdas.etl;

import io.mlops.contract.EnvNames;
import io.mlops.contract.GlueArgs;
import io.mlops.contract.RunPaths;
import io.mlops.contract.Tags;
import io.mlops.contract.actions.LaunchEtl;
import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.pipeline.ArtifactStore;
import io.mlops.lambdas.pipeline.CodePipelineEvent.Artifact;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import io.mlops.lambdas.settings.RunSettings;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.ConcurrentRunsExceededException;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetJobRunsResponse;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.glue.model.JobRunState;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * <b>LaunchEtl</b>: starts the Glue ETL run for this pipeline execution (or reuses the one already
 * started) and exports its run id.
 *
 * <p>Steps: (1) look for a run of {@code GLUE_JOB_NAME} whose {@code --execution-id} argument is this
 * execution (GetJobRuns, newest first, at most {@value #MAX_RUN_PAGES} pages); a run that is STARTING,
 * RUNNING, WAITING, STOPPING or SUCCEEDED is reused as is, while a FAILED/ERROR/TIMEOUT/STOPPED/EXPIRED
 * one (a "Retry" of the stage keeps the execution id) leads to a new run. (2) Read and validate
 * {@code config/run-settings.json} and the ETL settings file it names ({@code etl.settingsFile}) from the
 * source artifact. (3) Choose the dataset: the S3 location of the {@code datasetArtifact} input artifact
 * when that parameter is set and the action has that input; otherwise the newest object (LastModified)
 * ending {@code .zip}, {@code .csv} or {@code .csv.gz} under {@code s3://DATA_BUCKET/DATASET_PREFIX}.
 * (4) Snapshot both settings files to {@code s3://ARTIFACT_BUCKET/runs/<exec>/config/} so that the run is
 * reproducible and Glue reads this commit's ETL settings. (5) StartJobRun.
 *
 * <p><b>Glue run arguments</b>: {@code --input} (dataset URI), {@code --output}
 * ({@code s3://ARTIFACT_BUCKET/runs/<exec>/etl/}), {@code --settings}
 * ({@code s3://ARTIFACT_BUCKET/runs/<exec>/config/etl-settings.json}), {@code --execution-id},
 * {@code --extra-jars} ({@code etlJarUri}), plus {@code etl.arguments} from the run settings passed through
 * unchanged. Those five keys belong to the pipeline: a run-settings argument with one of these names is
 * rejected as a configuration error rather than silently overridden. WorkerType, NumberOfWorkers and
 * Timeout (minutes) come from {@code etl.workerType}, {@code etl.numberOfWorkers}, {@code etl.timeoutMinutes}.
 *
 * <p><b>User parameters</b> ({@link LaunchEtlParams}): {@code executionId} (required,
 * {@code #{codepipeline.PipelineExecutionId}}), {@code commitId} (optional, {@code #{SourceVariables.CommitId}}),
 * {@code etlJarUri} (required, {@code #{BuildVariables.ETL_JAR_URI}}), {@code sourceArtifact} (default
 * {@code SourceOutput}), {@code settingsPath} (default {@code config/run-settings.json}),
 * {@code datasetArtifact} (optional).
 *
 * <p><b>Output variables</b>: {@code JobRunId}, {@code DatasetUri}, {@code EtlOutputUri}.
 *
 * <p><b>Environment</b>: {@code GLUE_JOB_NAME}, {@code ARTIFACT_BUCKET}, {@code DATA_BUCKET} (only needed
 * when the dataset is looked up), {@code DATASET_PREFIX} (default {@code datasets/}), {@code AWS_REGION}.
 *
 * <p><b>IAM</b>: {@code glue:GetJobRuns}, {@code glue:StartJobRun} on
 * {@code arn:aws:glue:<region>:<account>:job/<GLUE_JOB_NAME>}; {@code s3:ListBucket} on the data bucket
 * (condition {@code s3:prefix} = {@code DATASET_PREFIX*}); {@code s3:PutObject} on
 * {@code arn:aws:s3:::<ARTIFACT_BUCKET>/runs/*}; {@code kms:GenerateDataKey}/{@code kms:Encrypt} on the
 * artifact bucket key; {@code codepipeline:PutJobSuccessResult}/{@code PutJobFailureResult} (resource
 * {@code *}: these actions do not support resource scoping). The source artifact is read with the job's
 * own artifact credentials.
 */
public final class LaunchEtlHandler extends PipelineJobHandler<LaunchEtlParams> {
    static final String DEFAULT_DATASET_PREFIX = "datasets/";
    /** GetJobRuns pages (of up to 200 runs each) searched for a run of this execution. */
    static final int MAX_RUN_PAGES = 5;
    static final List<String> DATASET_SUFFIXES = List.of(".zip", ".csv", ".csv.gz");
    /** Run arguments the pipeline sets; run settings may not override them. */
    static final Set<String> PIPELINE_ARGUMENTS = Set.of("--input", "--output", "--settings", "--execution-id",
            "--extra-jars");
    static final Set<JobRunState> REUSABLE = Set.of(JobRunState.STARTING, JobRunState.RUNNING, JobRunState.WAITING,
            JobRunState.STOPPING, JobRunState.SUCCEEDED);

    /**
     * What the handler works with: its configuration and the SDK clients (built once per container).
     * Tests build it with {@link #of} on clients pointed at a local stub.
     */
    public record Deps(HandlerConfig<LaunchEtlConfig> config, CodePipelineClient codePipeline, GlueClient glue,
            S3Client s3, ArtifactStore artifacts) {
        /** Lambda: the configuration and the clients (region, credentials) from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(env, ClientFactory.fromEnv(env));
        }

        /** The configuration read from {@code env}, the clients from {@code clients}. */
        public static Deps of(HandlerEnv env, ClientFactory clients) {
            return new Deps(HandlerConfig.fromEnv(env, LaunchEtlConfig::from), clients.codePipeline(), clients.glue(),
                    clients.s3(), new ArtifactStore(clients));
        }
    }

    private final HandlerConfig<LaunchEtlConfig> config;
    private final GlueClient glue;
    private final S3Client s3;
    private final ArtifactStore artifacts;

    /** Lambda entry point: clients built once per container from the function's environment. */
    public LaunchEtlHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: explicit configuration and clients. */
    public LaunchEtlHandler(Deps deps) {
        super(LaunchEtlParams.class, deps.codePipeline());
        this.config = deps.config();
        this.glue = deps.glue();
        this.s3 = deps.s3();
        this.artifacts = deps.artifacts();
    }

    @Override
    protected JobOutcome run(PipelineJob<LaunchEtlParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        LaunchEtlParams p = job.params();
        LaunchEtlConfig cfg = config.get();
        String glueJob = cfg.glueJobName();
        String artifactBucket = cfg.artifactBucket();
        String exec = p.executionId();
        String outputUri = RunPaths.s3Uri(artifactBucket, RunPaths.etl(exec));

        List<JobRun> previous = runsOfExecution(glueJob, exec);
        Optional<JobRun> reusable = previous.stream().filter(r -> REUSABLE.contains(r.jobRunState())).findFirst();
        if (reusable.isPresent()) {
            JobRun run = reusable.get();
            String dataset = run.arguments().getOrDefault(GlueArgs.INPUT, "");
            String output = run.arguments().getOrDefault(GlueArgs.OUTPUT, outputUri);
            log.info("reusing Glue run of this execution", Map.of("jobRunId", run.id(), "state", run.jobRunStateAsString()));
            return JobOutcome.succeeded("Reusing Glue run " + run.id() + " of job " + glueJob + " (" + run.jobRunStateAsString()
                    + ") already started for execution " + exec + " on " + dataset, outputs(run.id(), dataset, output));
        }
        if (!previous.isEmpty()) {
            log.info("previous Glue runs of this execution ended; starting a new one",
                    Map.of("previous", previous.stream().map(r -> r.id() + "=" + r.jobRunStateAsString()).toList()));
        }

        String settingsSource = p.sourceArtifact() + ":" + p.settingsPath();
        byte[] runSettingsBytes = artifacts.readFile(job, p.sourceArtifact(), p.settingsPath());
        RunSettings settings = RunSettings.parse(runSettingsBytes, settingsSource);
        RunSettings.Etl etl = settings.etl();
        rejectPipelineArguments(etl.arguments(), settingsSource);
        byte[] etlSettings = readEtlSettings(job, p, etl.settingsFile());

        String dataset = chooseDataset(job, p, cfg, log);

        Map<String, String> metadata = new TreeMap<>();
        metadata.put(Tags.ObjectMetadata.EXECUTION, exec);
        if (p.commitId() != null) {
            metadata.put(Tags.ObjectMetadata.COMMIT, p.commitId());
        }
        String configPrefix = RunPaths.config(exec);
        put(artifactBucket, configPrefix + "run-settings.json", runSettingsBytes, metadata);
        put(artifactBucket, configPrefix + "etl-settings.json", etlSettings, metadata);
        String settingsUri = "s3://" + artifactBucket + "/" + configPrefix + "etl-settings.json";

        Map<String, String> arguments = new LinkedHashMap<>(new TreeMap<>(etl.arguments()));
        arguments.put(GlueArgs.INPUT, dataset);
        arguments.put(GlueArgs.OUTPUT, outputUri);
        arguments.put(GlueArgs.SETTINGS, settingsUri);
        arguments.put(GlueArgs.EXECUTION_ID, exec);
        arguments.put(GlueArgs.EXTRA_JARS, p.etlJarUri());

        String runId;
        try {
            runId = glue.startJobRun(r -> r.jobName(glueJob)
                    .arguments(arguments)
                    .workerType(etl.workerType())
                    .numberOfWorkers(etl.numberOfWorkers())
                    .timeout(etl.timeoutMinutes())).jobRunId();
        } catch (ConcurrentRunsExceededException e) {
            throw JobFailedException.jobFailed("Glue job '" + glueJob + "' already runs as many runs as its "
                    + "MaxConcurrentRuns allows (" + e.awsErrorDetails().errorMessage() + "): another pipeline execution "
                    + "is probably in its ETL stage. Wait for it to finish and Retry this stage, or raise the job's "
                    + "MaxConcurrentRuns in the infra EtlStack.");
        } catch (EntityNotFoundException e) {
            throw missingGlueJob(glueJob, e);
        }
        log.info("started Glue run", Map.of("jobRunId", runId, "dataset", dataset, "arguments", arguments));
        return JobOutcome.succeeded("Started Glue run " + runId + " of job " + glueJob + " on " + dataset + " ("
                + etl.workerType() + " x" + etl.numberOfWorkers() + ", timeout " + etl.timeoutMinutes() + " min"
                + (p.commitId() == null ? "" : ", commit " + p.commitId()) + "); output " + outputUri,
                outputs(runId, dataset, outputUri));
    }

    private static Map<String, String> outputs(String runId, String dataset, String outputUri) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put(LaunchEtl.Output.JobRunId.name(), runId);
        vars.put(LaunchEtl.Output.DatasetUri.name(), dataset);
        vars.put(LaunchEtl.Output.EtlOutputUri.name(), outputUri);
        return vars;
    }

    /** Runs of the Glue job started for this execution, reusable ones first, newest first. */
    private List<JobRun> runsOfExecution(String glueJob, String exec) {
        List<JobRun> found = new ArrayList<>();
        String token = null;
        try {
            for (int page = 0; page < MAX_RUN_PAGES; page++) {
                String next = token;
                GetJobRunsResponse response = glue.getJobRuns(r -> r.jobName(glueJob).maxResults(200).nextToken(next));
                response.jobRuns().stream()
                        .filter(r -> r.hasArguments() && exec.equals(r.arguments().get("--execution-id")))
                        .forEach(found::add);
                token = response.nextToken();
                if (token == null || token.isEmpty()) {
                    break;
                }
            }
        } catch (EntityNotFoundException e) {
            throw missingGlueJob(glueJob, e);
        }
        found.sort(Comparator.comparing((JobRun r) -> !REUSABLE.contains(r.jobRunState()))
                .thenComparing(r -> r.startedOn() == null ? Instant.EPOCH : r.startedOn(), Comparator.reverseOrder()));
        return found;
    }

    private static JobFailedException missingGlueJob(String glueJob, EntityNotFoundException e) {
        return JobFailedException.configuration("Glue job '" + glueJob + "' (environment variable "
                + EnvNames.GLUE_JOB_NAME + ") does not exist in this account and region: "
                + e.awsErrorDetails().errorMessage() + ". Deploy the ETL stack (cdk deploy) or fix the variable on the function.");
    }

    private static void rejectPipelineArguments(Map<String, String> arguments, String source) {
        List<String> clashes = arguments.keySet().stream().filter(PIPELINE_ARGUMENTS::contains).sorted().toList();
        if (!clashes.isEmpty()) {
            throw JobFailedException.configuration("run settings " + source + ": etl.arguments sets " + clashes
                    + ", which the pipeline sets itself for every run (" + new TreeMap<>(Map.of(
                            "--input", "the dataset", "--output", "runs/<exec>/etl/", "--settings", "etl.settingsFile",
                            "--execution-id", "the execution", "--extra-jars", "the jar built for the commit"))
                    + "). Remove them from etl.arguments; change the dataset by uploading it, and the ETL settings "
                    + "with etl.settingsFile.");
        }
    }

    private byte[] readEtlSettings(PipelineJob<LaunchEtlParams> job, LaunchEtlParams p, String path) {
        byte[] bytes;
        try {
            bytes = artifacts.readFile(job, p.sourceArtifact(), path);
        } catch (JobFailedException e) {
            // ArtifactStore's hint names 'settingsPath'; here the path comes from the run settings instead.
            throw new JobFailedException(e.type(), "cannot read the ETL settings file '" + path + "' named by "
                    + "etl.settingsFile in " + p.settingsPath() + ": fix etl.settingsFile or commit that file, then push. "
                    + "Details: " + e.getMessage(), e);
        }
        try {
            JsonNode tree = Json.EVENTS.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw JobFailedException.configuration("ETL settings file '" + path + "' in artifact '" + p.sourceArtifact()
                        + "' is not a JSON object. Fix the file (see etl/settings/ for examples) or etl.settingsFile in "
                        + p.settingsPath() + ", then push.");
            }
        } catch (IOException e) {
            throw JobFailedException.configuration("ETL settings file '" + path + "' in artifact '" + p.sourceArtifact()
                    + "' is not valid JSON: " + e.getMessage().lines().findFirst().orElse("") + ". Fix it and push.");
        }
        return bytes;
    }

    private String chooseDataset(PipelineJob<LaunchEtlParams> job, LaunchEtlParams p, LaunchEtlConfig cfg, HandlerLog log) {
        if (p.datasetArtifact() != null) {
            Optional<Artifact> artifact = job.findInputArtifact(p.datasetArtifact());
            if (artifact.isPresent()) {
                Artifact a = artifact.get();
                if (a.location() == null || a.location().s3Location() == null
                        || a.location().s3Location().bucketName() == null || a.location().s3Location().objectKey() == null) {
                    throw JobFailedException.configuration("input artifact '" + p.datasetArtifact()
                            + "' (user parameter datasetArtifact) has no S3 location; it must be the output of an S3 source action");
                }
                String uri = "s3://" + a.location().s3Location().bucketName() + "/" + a.location().s3Location().objectKey();
                log.info("dataset from input artifact", Map.of("artifact", p.datasetArtifact(), "uri", uri));
                return uri;
            }
            log.info("datasetArtifact is not an input of this action; using the newest uploaded dataset",
                    Map.of("datasetArtifact", p.datasetArtifact()));
        }
        String dataBucket = cfg.requireDataBucket();
        String prefix = cfg.datasetPrefix();
        S3Object newest = null;
        List<String> ignored = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(dataBucket).prefix(prefix)).contents()) {
            if (!isDataset(object)) {
                if (ignored.size() < 5) {
                    ignored.add(object.key());
                }
                continue;
            }
            if (newest == null || newer(object, newest)) {
                newest = object;
            }
        }
        String where = "s3://" + dataBucket + "/" + prefix;
        if (newest == null) {
            throw JobFailedException.configuration("no dataset to run the ETL on: nothing ending " + DATASET_SUFFIXES
                    + " (and not empty) under " + where + (ignored.isEmpty() ? "" : " (other objects there, e.g. " + ignored + ")")
                    + ". Upload one, e.g. 'aws s3 cp bank-additional.zip " + where + "bank-additional.zip', then "
                    + "Release change (or Retry this stage).");
        }
        String uri = "s3://" + dataBucket + "/" + newest.key();
        log.info("newest dataset", Map.of("uri", uri, "lastModified", String.valueOf(newest.lastModified())));
        return uri;
    }

    private static boolean isDataset(S3Object object) {
        String key = object.key().toLowerCase(Locale.ROOT);
        return (object.size() == null || object.size() > 0) && DATASET_SUFFIXES.stream().anyMatch(key::endsWith);
    }

    /** Newer LastModified wins; ties go to the greater key, so the choice is deterministic. */
    private static boolean newer(S3Object a, S3Object b) {
        Instant ta = a.lastModified() == null ? Instant.EPOCH : a.lastModified();
        Instant tb = b.lastModified() == null ? Instant.EPOCH : b.lastModified();
        int byTime = ta.compareTo(tb);
        return byTime > 0 || (byTime == 0 && a.key().compareTo(b.key()) > 0);
    }

    private void put(String bucket, String key, byte[] body, Map<String, String> metadata) {
        s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/json").metadata(metadata),
                RequestBody.fromBytes(body));
    }
}
