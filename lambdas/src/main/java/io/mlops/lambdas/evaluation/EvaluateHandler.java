package io.mlops.lambdas.evaluation;

import io.mlops.lambdas.core.AwsErrors;
import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.evaluation.EvaluationReport.InvalidEvaluationException;
import io.mlops.lambdas.evaluation.QualityGate.Champion;
import io.mlops.lambdas.evaluation.QualityGate.Decision;
import io.mlops.lambdas.modelgroup.ModelPackageGroups;
import io.mlops.lambdas.naming.JobNames;
import io.mlops.lambdas.pipeline.ArtifactStore;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import io.mlops.lambdas.settings.RunSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.AppSpecification;
import software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeProcessingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.InferenceSpecification;
import software.amazon.awssdk.services.sagemaker.model.ListModelPackagesResponse;
import software.amazon.awssdk.services.sagemaker.model.MetadataProperties;
import software.amazon.awssdk.services.sagemaker.model.MetricsSource;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelMetrics;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSortBy;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSummary;
import software.amazon.awssdk.services.sagemaker.model.ModelQuality;
import software.amazon.awssdk.services.sagemaker.model.NetworkConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingClusterConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingInput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingJobStatus;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutputConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingResources;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3DataDistributionType;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3DataType;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3Input;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3InputMode;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3Output;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3UploadMode;
import software.amazon.awssdk.services.sagemaker.model.ProcessingStoppingCondition;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sagemaker.model.SortOrder;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/**
 * <b>Evaluate</b>: evaluates the trained model on the test split, applies the quality gate and
 * registers the model in the model package group, whatever the gate decides.
 *
 * <p><b>Flow.</b> First invocation: reads the run settings ({@code evaluation}, {@code qualityGate})
 * from the source artifact; starts the SageMaker Processing job
 * {@code JobNames.forExecution(JOB_NAME_PREFIX, "eval", executionId, attempt)} that runs the image's
 * {@code evaluate} entry point with the model at {@code /opt/ml/processing/input/model} and
 * {@code s3://ARTIFACT_BUCKET/runs/<exec>/etl/test/} at {@code /opt/ml/processing/input/test}, writing
 * {@code /opt/ml/processing/evaluation} to {@code s3://ARTIFACT_BUCKET/runs/<exec>/evaluation/}. A job
 * of that name that is InProgress, Stopping or Completed is reused (a re-invocation never starts a
 * second); a Failed or Stopped one makes the next attempt ({@code -2}, {@code -3}, ... up to
 * {@value #MAX_ATTEMPTS}). The continuation token carries the job name, the attempt and the gate
 * settings. Later invocations poll the job; once Completed: reads {@code evaluation.json}, finds the
 * champion (newest Approved package in the group; its metric from the {@code metric.<name>} metadata
 * this handler writes, else from the JSON its ModelMetrics statistics point at, else no champion, with
 * a note), applies {@link QualityGate} and registers a model package: {@code PendingManualApproval}
 * when the gate passes, {@code Rejected} when it fails (audit trail), with ModelMetrics pointing at
 * {@code evaluation.json} and metadata (no tags: a versioned package takes its group's tags, and
 * CreateModelPackage takes no tag argument then). A failed gate then fails the action with the metrics
 * side by side with the bounds. Registration is idempotent: a package of this execution found in the
 * group (description marker + {@code pipeline-execution-id} metadata) is reused, and CreateModelPackage
 * carries a ClientToken derived from the execution id and attempt.
 *
 * <p><b>User parameters</b> ({@link EvaluateParams}): {@code executionId} (required,
 * {@code #{codepipeline.PipelineExecutionId}}), {@code commitId} (optional,
 * {@code #{SourceVariables.CommitId}}), {@code imageUri} (required, pinned, {@code #{BuildVariables.IMAGE_URI}}),
 * {@code modelDataUrl} (required, {@code #{TrainMonitor.ModelDataUrl}}), {@code datasetSha256} (optional,
 * {@code #{EtlMonitor.DatasetSha256}}), {@code sourceArtifact} (default {@code SourceOutput}),
 * {@code settingsPath} (default {@code config/run-settings.json}).
 *
 * <p><b>Output variables</b>: {@code ModelPackageArn}, {@code ModelPackageVersion}, {@code GateMetric},
 * {@code GateValue}, {@code GateThreshold}, {@code ChampionArn} ({@code none} when no champion was
 * compared), {@code ChampionValue} ({@code none} likewise), {@code MetricsSummary} (one line for the
 * approval's custom data), {@code ModelImageUri} and {@code ModelDataUrl} (the package's container, from
 * which DeployDev builds the DEV model: ADR 0103).
 *
 * <p><b>Environment</b>: {@code ARTIFACT_BUCKET}, {@code SAGEMAKER_ROLE_ARN}, {@code MODEL_PACKAGE_GROUP}
 * (required); {@code JOB_NAME_PREFIX} (default {@code mlops}), {@code KMS_KEY_ARN} (optional: processing
 * output and volume encryption).
 *
 * <p><b>IAM</b>: {@code sagemaker:CreateProcessingJob}, {@code sagemaker:DescribeProcessingJob},
 * {@code sagemaker:AddTags} on {@code arn:aws:sagemaker:<region>:<account>:processing-job/<prefix>-eval-*};
 * {@code iam:PassRole} on SAGEMAKER_ROLE_ARN (condition {@code iam:PassedToService = sagemaker.amazonaws.com});
 * {@code sagemaker:ListModelPackages}, {@code sagemaker:ListModelPackageGroups} ({@code *}: no resource type);
 * {@code sagemaker:DescribeModelPackage}, {@code sagemaker:CreateModelPackage}
 * on {@code model-package/<group>/*} and {@code model-package-group/<group>};
 * {@code s3:GetObject} on {@code arn:aws:s3:::ARTIFACT_BUCKET/runs/*}; {@code kms:Decrypt} on KMS_KEY_ARN;
 * {@code codepipeline:PutJobSuccessResult}, {@code codepipeline:PutJobFailureResult} ({@code *}).
 * The source artifact is read with the job's artifact credentials.
 */
public final class EvaluateHandler extends PipelineJobHandler<EvaluateParams> {
    static final String JOB_KIND = "eval";
    static final int MAX_ATTEMPTS = 5;
    static final String LOG_GROUP = "/aws/sagemaker/ProcessingJobs";
    static final String MODEL_INPUT_PATH = "/opt/ml/processing/input/model";
    static final String TEST_INPUT_PATH = "/opt/ml/processing/input/test";
    static final String EVALUATION_OUTPUT_PATH = "/opt/ml/processing/evaluation";
    static final String ENTRY_POINT = "evaluate";
    static final int VOLUME_SIZE_GB = 10;
    static final List<String> CONTENT_TYPES = List.of("text/csv", "application/json");
    static final List<String> REALTIME_INSTANCE_TYPES = List.of("ml.t2.medium", "ml.m5.large", "ml.m5.xlarge");
    static final List<String> TRANSFORM_INSTANCE_TYPES = List.of("ml.m5.large");
    /** How many pages (of 100, newest first) to search for a package this execution registered before. */
    static final int EXISTING_SEARCH_PAGES = 3;
    static final String NONE = "none";
    static final String DEFAULT_PREFIX = "mlops";

    static final String META_EXECUTION = "pipeline-execution-id";
    static final String META_COMMIT = "commit-id";
    static final String META_DATASET = "dataset-sha256";
    static final String META_GATE = "gate";
    static final String META_METRIC_PREFIX = "metric.";

    static final String TAG_EXECUTION = "mlops:pipeline-execution-id";
    static final String TAG_COMMIT = "mlops:commit-id";
    static final String TAG_PROJECT = "mlops:project";

    private static final Pattern S3_URI = Pattern.compile("s3://([^/]+)/(.+)");
    private static final Pattern GROUP_NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");

    /**
     * The continuation token: which processing job this execution is waiting for, and the gate
     * settings read on the first invocation (so later invocations need not read the artifact again).
     */
    public record State(String processingJobName, int attempt, String metric, double threshold, double maxRegression) {
    }

    /** The environment this function needs, read and checked once per invocation. */
    record Config(String artifactBucket, String roleArn, String modelPackageGroup, String prefix,
            Optional<String> kmsKeyId) {
        static Config from(HandlerEnv env) {
            Config config = new Config(env.require(HandlerEnv.ARTIFACT_BUCKET), env.require(HandlerEnv.SAGEMAKER_ROLE_ARN),
                    env.require(HandlerEnv.MODEL_PACKAGE_GROUP), env.orDefault(HandlerEnv.JOB_NAME_PREFIX, DEFAULT_PREFIX),
                    env.optional(HandlerEnv.KMS_KEY_ARN));
            if (!config.roleArn().startsWith("arn:") || !config.roleArn().contains(":role/")) {
                throw JobFailedException.configuration("environment variable " + HandlerEnv.SAGEMAKER_ROLE_ARN
                        + " is not an IAM role ARN: '" + config.roleArn() + "'. Redeploy the stack (cdk deploy).");
            }
            if (!GROUP_NAME.matcher(config.modelPackageGroup()).matches()) {
                throw JobFailedException.configuration("environment variable " + HandlerEnv.MODEL_PACKAGE_GROUP
                        + " is not a model package group name: '" + config.modelPackageGroup() + "'. Redeploy the stack.");
            }
            return config;
        }
    }

    /** A model package in the registry, with the container DEV is built from (ADR 0103). */
    record Registered(String arn, String version, String approvalStatus, String image, String modelDataUrl,
            boolean reused) {
    }

    /** The champion the gate compares with (value null: none comparable), and a note for the summary. */
    record ChampionLookup(String arn, String label, Double value, String note) {
        static ChampionLookup none(String note) {
            return new ChampionLookup(null, null, null, note);
        }

        Optional<Champion> champion() {
            return value == null ? Optional.empty() : Optional.of(new Champion(label, value));
        }
    }

    private final HandlerEnv env;
    private final SageMakerClient sageMaker;
    private final S3Client s3;
    private final ArtifactStore artifacts;

    /** Lambda entry point: clients built once per container. */
    public EvaluateHandler() {
        this(HandlerEnv.fromSystem());
    }

    private EvaluateHandler(HandlerEnv env) {
        this(env, ClientFactory.fromEnv(env));
    }

    private EvaluateHandler(HandlerEnv env, ClientFactory clients) {
        this(env, clients.codePipeline(), clients.sageMaker(), clients.s3(), new ArtifactStore(clients));
    }

    /** Tests: explicit environment and clients. */
    public EvaluateHandler(HandlerEnv env, CodePipelineClient codePipeline, SageMakerClient sageMaker, S3Client s3,
            ArtifactStore artifacts) {
        super(EvaluateParams.class, codePipeline);
        this.env = env;
        this.sageMaker = sageMaker;
        this.s3 = s3;
        this.artifacts = artifacts;
    }

    @Override
    protected JobOutcome run(PipelineJob<EvaluateParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        Config config = Config.from(env);
        EvaluateParams params = job.params();
        if (job.isContinuation()) {
            State state = job.continuation(State.class);
            return onStatus(params, config, state, describeExisting(state), log);
        }
        String source = params.sourceArtifact() + ":" + params.settingsPath();
        RunSettings settings = RunSettings.parse(artifacts.readFile(job, params.sourceArtifact(), params.settingsPath()), source);
        return launch(params, config, settings, log);
    }

    // ---------------------------------------------------------------- processing job

    private JobOutcome launch(EvaluateParams params, Config config, RunSettings settings, HandlerLog log) {
        RunSettings.QualityGate gate = settings.qualityGate();
        String lastFailure = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String name = JobNames.forExecution(config.prefix(), JOB_KIND, params.executionId(), attempt);
            State state = new State(name, attempt, gate.metric(), gate.threshold(), gate.maxRegression());
            try {
                sageMaker.createProcessingJob(processingJob(params, config, settings.evaluation(), name));
                log.info("started evaluation processing job", Map.of("processingJob", name, "attempt", attempt));
                return JobOutcome.inProgress("Started evaluation processing job " + name + " (attempt " + attempt + ", "
                        + settings.evaluation().instanceType() + ")" + (lastFailure == null ? "" : "; previous: " + lastFailure),
                        state);
            } catch (ResourceInUseException e) {
                // The documented answer to a name that exists (docs/contracts/aws-api.md): this execution's job.
                log.info("processing job of this execution already exists", Map.of("processingJob", name));
            }
            DescribeProcessingJobResponse job = describeExisting(state);
            ProcessingJobStatus status = job.processingJobStatus();
            if (status == ProcessingJobStatus.FAILED || status == ProcessingJobStatus.STOPPED) {
                lastFailure = name + " " + job.processingJobStatusAsString() + ": " + reason(job);
                continue;
            }
            log.info("reusing the evaluation processing job of this execution",
                    Map.of("processingJob", name, "status", job.processingJobStatusAsString()));
            return onStatus(params, config, state, job, log);
        }
        throw JobFailedException.jobFailed("evaluation already failed " + MAX_ATTEMPTS + " times for pipeline execution "
                + params.executionId() + "; last attempt " + lastFailure + ". Logs: CloudWatch log group " + LOG_GROUP
                + ". Fix the cause and release a new change (a new execution starts from attempt 1).");
    }

    CreateProcessingJobRequest processingJob(EvaluateParams params, Config config, RunSettings.Evaluation evaluation,
            String name) {
        String runPrefix = "s3://" + config.artifactBucket() + "/" + runKey(params.executionId(), "");
        ProcessingInput model = ProcessingInput.builder().inputName("model")
                .s3Input(ProcessingS3Input.builder().s3Uri(params.modelDataUrl()).localPath(MODEL_INPUT_PATH)
                        .s3DataType(ProcessingS3DataType.S3_PREFIX).s3InputMode(ProcessingS3InputMode.FILE)
                        .s3DataDistributionType(ProcessingS3DataDistributionType.FULLY_REPLICATED).build())
                .build();
        ProcessingInput test = ProcessingInput.builder().inputName("test")
                .s3Input(ProcessingS3Input.builder().s3Uri(runPrefix + "etl/test/").localPath(TEST_INPUT_PATH)
                        .s3DataType(ProcessingS3DataType.S3_PREFIX).s3InputMode(ProcessingS3InputMode.FILE)
                        .s3DataDistributionType(ProcessingS3DataDistributionType.FULLY_REPLICATED).build())
                .build();
        ProcessingOutputConfig.Builder output = ProcessingOutputConfig.builder()
                .outputs(ProcessingOutput.builder().outputName("evaluation")
                        .s3Output(ProcessingS3Output.builder().s3Uri(runPrefix + "evaluation/")
                                .localPath(EVALUATION_OUTPUT_PATH).s3UploadMode(ProcessingS3UploadMode.END_OF_JOB).build())
                        .build());
        ProcessingClusterConfig.Builder cluster = ProcessingClusterConfig.builder().instanceCount(1)
                .instanceType(evaluation.instanceType()).volumeSizeInGB(VOLUME_SIZE_GB);
        config.kmsKeyId().ifPresent(key -> {
            output.kmsKeyId(key);
            cluster.volumeKmsKeyId(key);
        });
        return CreateProcessingJobRequest.builder()
                .processingJobName(name)
                .appSpecification(AppSpecification.builder().imageUri(params.imageUri()).containerEntrypoint(ENTRY_POINT).build())
                .processingInputs(model, test)
                .processingOutputConfig(output.build())
                .processingResources(ProcessingResources.builder().clusterConfig(cluster.build()).build())
                .stoppingCondition(ProcessingStoppingCondition.builder().maxRuntimeInSeconds(evaluation.maxRuntimeSeconds()).build())
                .roleArn(config.roleArn())
                .networkConfig(NetworkConfig.builder().enableNetworkIsolation(true).enableInterContainerTrafficEncryption(true).build())
                .tags(tags(params, config))
                .build();
    }

    private JobOutcome onStatus(EvaluateParams params, Config config, State state, DescribeProcessingJobResponse job,
            HandlerLog log) {
        ProcessingJobStatus status = job.processingJobStatus();
        if (status == ProcessingJobStatus.IN_PROGRESS || status == ProcessingJobStatus.STOPPING) {
            return JobOutcome.inProgress("Evaluation processing job " + state.processingJobName() + " is "
                    + job.processingJobStatusAsString() + " (attempt " + state.attempt() + ")", state);
        }
        if (status == ProcessingJobStatus.COMPLETED) {
            return finish(params, config, state, log);
        }
        if (status == ProcessingJobStatus.FAILED) {
            throw JobFailedException.jobFailed("evaluation processing job " + state.processingJobName() + " failed: "
                    + reason(job) + ". Logs: CloudWatch log group " + LOG_GROUP + ", streams "
                    + state.processingJobName() + "/*. Fix the cause, then " + nextStep(state) + ".");
        }
        if (status == ProcessingJobStatus.STOPPED) {
            throw JobFailedException.jobFailed("evaluation processing job " + state.processingJobName() + " was stopped"
                    + (job.failureReason() == null ? "" : ": " + job.failureReason())
                    + " (it is stopped when it runs longer than evaluation.maxRuntimeSeconds in " + EvaluateParams.DEFAULT_SETTINGS_PATH
                    + ", or by a person). Logs: CloudWatch log group " + LOG_GROUP + ". " + capitalise(nextStep(state)) + ".");
        }
        throw JobFailedException.jobFailed("evaluation processing job " + state.processingJobName()
                + " has a status this handler does not know: '" + job.processingJobStatusAsString()
                + "'. Check the job in the SageMaker console, then retry the stage.");
    }

    /** What a person does after a failed attempt: retry (next attempt) while attempts remain, else push a change. */
    private static String nextStep(State state) {
        return state.attempt() < MAX_ATTEMPTS
                ? "retry the stage (it starts attempt " + (state.attempt() + 1) + ") or release a new change"
                : "release a new change (this execution has used all " + MAX_ATTEMPTS + " attempts)";
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * DescribeProcessingJob of the job this execution created. SageMaker documents {@code ResourceNotFound}
     * for a missing job but answers {@code ValidationException} (as for training jobs, aws/aws-sdk#165); the
     * message is never parsed. Either code fails the action with SageMaker's message; throttling and server
     * errors propagate (the SDK has retried them).
     */
    private DescribeProcessingJobResponse describeExisting(State state) {
        String name = state.processingJobName();
        try {
            return sageMaker.describeProcessingJob(r -> r.processingJobName(name));
        } catch (ResourceNotFoundException e) {
            throw JobFailedException.jobFailed("evaluation processing job " + name + " no longer exists in SageMaker ("
                    + AwsErrors.codeAndMessage(e) + "). Retry the stage to start the next attempt.", e);
        } catch (AwsServiceException e) {
            if (AwsErrors.hasCode(e, AwsErrors.VALIDATION_EXCEPTION)) {
                throw JobFailedException.jobFailed("SageMaker rejected DescribeProcessingJob for " + name + " ("
                        + AwsErrors.codeAndMessage(e) + "). If the job was deleted, retry the stage to start the next attempt.", e);
            }
            throw e;
        }
    }

    private static String reason(DescribeProcessingJobResponse job) {
        List<String> parts = new ArrayList<>();
        if (job.failureReason() != null && !job.failureReason().isBlank()) {
            parts.add(job.failureReason().trim());
        }
        if (job.exitMessage() != null && !job.exitMessage().isBlank()) {
            parts.add("exit message: " + job.exitMessage().trim());
        }
        return parts.isEmpty() ? "no failure reason given" : String.join("; ", parts);
    }

    // ---------------------------------------------------------------- gate and registration

    private JobOutcome finish(EvaluateParams params, Config config, State state, HandlerLog log) {
        String exec = params.executionId();
        String key = runKey(exec, "evaluation/evaluation.json");
        String evaluationUri = "s3://" + config.artifactBucket() + "/" + key;
        byte[] bytes;
        try {
            bytes = s3.getObjectAsBytes(r -> r.bucket(config.artifactBucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw JobFailedException.jobFailed("evaluation processing job " + state.processingJobName()
                    + " completed but wrote no " + evaluationUri + ". The evaluate entry point must write "
                    + EVALUATION_OUTPUT_PATH + "/evaluation.json (docs/contracts/model-container.md); see its logs in "
                    + LOG_GROUP + ".");
        }
        EvaluationReport report;
        double value;
        try {
            report = EvaluationReport.parse(bytes, evaluationUri);
            value = report.require(state.metric());
        } catch (InvalidEvaluationException e) {
            throw JobFailedException.jobFailed("cannot apply the quality gate: " + e.getMessage() + ".");
        }
        QualityGate gate = new QualityGate(state.metric(), state.threshold(), state.maxRegression());
        if (ModelPackageGroups.find(sageMaker, config.modelPackageGroup()).isEmpty()) {
            throw JobFailedException.configuration("model package group '" + config.modelPackageGroup()
                    + "' (environment variable " + HandlerEnv.MODEL_PACKAGE_GROUP + ") does not exist: "
                    + "ListModelPackageGroups finds no group of that exact name. It is created by the ModelGroup custom "
                    + "resource; deploy the stack (cdk deploy), then retry the stage.");
        }
        ChampionLookup champion = findChampion(config.modelPackageGroup(), state.metric());
        Decision decision = gate.evaluate(value, champion.champion());
        log.info("quality gate applied", Map.of("passed", decision.passed(), "checks", decision.checks()));

        Optional<Registered> earlier = findRegistered(config.modelPackageGroup(), exec);
        Registered pkg = earlier.orElseGet(() -> register(params, config, state, report, decision, evaluationUri));
        boolean passed = !ModelApprovalStatus.REJECTED.toString().equals(pkg.approvalStatus());
        log.info(pkg.reused() ? "reusing the model package this execution registered before" : "registered model package",
                Map.of("modelPackageArn", pkg.arn(), "approvalStatus", pkg.approvalStatus()));

        String metrics = otherMetrics(report, state.metric());
        String note = champion.note() == null ? "" : " (" + champion.note() + ")";
        String disagreement = passed == decision.passed() ? "" : " Note: an earlier invocation of this execution "
                + "registered the package as " + pkg.approvalStatus() + "; the registry's decision stands.";
        String summaryLine = decision.summary() + note + (metrics.isEmpty() ? "" : " | " + metrics) + " | package v"
                + pkg.version() + " " + pkg.approvalStatus() + (pkg.reused() ? " (registered earlier by this execution)" : "");
        if (!passed) {
            throw JobFailedException.jobFailed("Quality gate failed on " + state.metric() + ": "
                    + String.join("; ", decision.checks()) + note + "." + (metrics.isEmpty() ? "" : " Other metrics: " + metrics + ".")
                    + " Registered for the audit trail as Rejected: model package v" + pkg.version() + " (" + pkg.arn() + ")."
                    + disagreement + " Report: " + evaluationUri + ". To proceed, improve the model or data, or change "
                    + "qualityGate in " + params.settingsPath() + ", and push a new commit; retrying this stage re-reports "
                    + "the same result.");
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("ModelPackageArn", pkg.arn());
        outputs.put("ModelPackageVersion", pkg.version());
        outputs.put("GateMetric", state.metric());
        outputs.put("GateValue", QualityGate.format(value));
        outputs.put("GateThreshold", QualityGate.format(state.threshold()));
        outputs.put("ChampionArn", champion.value() == null ? NONE : champion.arn());
        outputs.put("ChampionValue", champion.value() == null ? NONE : QualityGate.format(champion.value()));
        outputs.put("MetricsSummary", summaryLine);
        outputs.put("ModelImageUri", pkg.image());
        outputs.put("ModelDataUrl", pkg.modelDataUrl());
        return JobOutcome.succeeded("Model package v" + pkg.version() + " " + pkg.approvalStatus() + ": " + summaryLine
                + disagreement, outputs);
    }

    private Registered register(EvaluateParams params, Config config, State state, EvaluationReport report,
            Decision decision, String evaluationUri) {
        ModelApprovalStatus status = decision.passed() ? ModelApprovalStatus.PENDING_MANUAL_APPROVAL : ModelApprovalStatus.REJECTED;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(META_EXECUTION, params.executionId());
        if (params.commitId() != null) {
            metadata.put(META_COMMIT, params.commitId());
        }
        if (params.datasetSha256() != null) {
            metadata.put(META_DATASET, params.datasetSha256());
        }
        report.knownMetrics().forEach((name, v) -> metadata.put(META_METRIC_PREFIX + name, Double.toString(v)));
        metadata.put(META_GATE, decision.passed() ? "passed" : "failed");
        metadata.put("gate.metric", state.metric());
        metadata.put("gate.threshold", Double.toString(state.threshold()));
        metadata.put("gate.max-regression", Double.toString(state.maxRegression()));
        MetadataProperties.Builder provenance = MetadataProperties.builder()
                .generatedBy("CodePipeline execution " + params.executionId());
        if (params.commitId() != null) {
            provenance.commitId(params.commitId());
        }
        String arn = sageMaker.createModelPackage(r -> r
                .modelPackageGroupName(config.modelPackageGroup())
                .modelPackageDescription(description(params, decision))
                .inferenceSpecification(InferenceSpecification.builder()
                        .containers(ModelPackageContainerDefinition.builder()
                                .image(params.imageUri()).modelDataUrl(params.modelDataUrl()).build())
                        .supportedContentTypes(CONTENT_TYPES)
                        .supportedResponseMIMETypes(CONTENT_TYPES)
                        .supportedRealtimeInferenceInstanceTypesWithStrings(REALTIME_INSTANCE_TYPES)
                        .supportedTransformInstanceTypesWithStrings(TRANSFORM_INSTANCE_TYPES)
                        .build())
                .modelApprovalStatus(status)
                .modelMetrics(ModelMetrics.builder().modelQuality(ModelQuality.builder()
                        .statistics(MetricsSource.builder().contentType("application/json").s3Uri(evaluationUri).build())
                        .build()).build())
                .metadataProperties(provenance.build())
                .customerMetadataProperties(metadata)
                // No Tags: a versioned package (ModelPackageGroupName given) takes its group's tags, and the
                // API Reference says no tag argument may be given then (docs/contracts/aws-api.md).
                .clientToken(clientToken(params.executionId(), state.attempt())))
                .modelPackageArn();
        return new Registered(arn, versionOf(arn), status.toString(), params.imageUri(), params.modelDataUrl(), false);
    }

    /** Marker in the package description by which a re-invocation finds what this execution registered. */
    static String executionMarker(String executionId) {
        return "pipeline execution " + executionId + ",";
    }

    private static String description(EvaluateParams params, Decision decision) {
        String d = "Evaluated in " + executionMarker(params.executionId()) + " commit "
                + (params.commitId() == null ? "unknown" : params.commitId()) + ": " + decision.summary();
        return d.length() <= 1024 ? d : d.substring(0, 1021) + "...";
    }

    /**
     * The package this execution registered before, if any: newest packages first, matched by the
     * description marker, confirmed by the {@code pipeline-execution-id} metadata.
     */
    private Optional<Registered> findRegistered(String group, String exec) {
        String marker = executionMarker(exec);
        String token = null;
        for (int page = 0; page < EXISTING_SEARCH_PAGES; page++) {
            String next = token;
            ListModelPackagesResponse list = sageMaker.listModelPackages(r -> r.modelPackageGroupName(group)
                    .sortBy(ModelPackageSortBy.CREATION_TIME).sortOrder(SortOrder.DESCENDING).maxResults(100).nextToken(next));
            for (ModelPackageSummary summary : list.modelPackageSummaryList()) {
                if (summary.modelPackageDescription() == null || !summary.modelPackageDescription().contains(marker)) {
                    continue;
                }
                DescribeModelPackageResponse d = sageMaker.describeModelPackage(r -> r.modelPackageName(summary.modelPackageArn()));
                if (exec.equals(d.customerMetadataProperties().get(META_EXECUTION))) {
                    ModelPackageContainerDefinition container = firstContainer(d);
                    return Optional.of(new Registered(d.modelPackageArn(), String.valueOf(d.modelPackageVersion()),
                            d.modelApprovalStatusAsString(), container.image(), container.modelDataUrl(), true));
                }
            }
            token = list.nextToken();
            if (token == null || token.isBlank()) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The newest Approved package of the group and its value of the gate metric. */
    private ChampionLookup findChampion(String group, String metric) {
        // An empty list means "no Approved package", never "no group": the group was proven to exist first.
        ListModelPackagesResponse list = sageMaker.listModelPackages(r -> r.modelPackageGroupName(group)
                .modelApprovalStatus(ModelApprovalStatus.APPROVED)
                .sortBy(ModelPackageSortBy.CREATION_TIME).sortOrder(SortOrder.DESCENDING).maxResults(1));
        if (list.modelPackageSummaryList().isEmpty()) {
            return ChampionLookup.none(null);
        }
        ModelPackageSummary newest = list.modelPackageSummaryList().get(0);
        DescribeModelPackageResponse d = sageMaker.describeModelPackage(r -> r.modelPackageName(newest.modelPackageArn()));
        String label = "v" + d.modelPackageVersion();
        String recorded = d.customerMetadataProperties().get(META_METRIC_PREFIX + metric);
        if (recorded != null) {
            try {
                double v = Double.parseDouble(recorded.trim());
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    return new ChampionLookup(d.modelPackageArn(), label, v, null);
                }
            } catch (NumberFormatException e) {
                // fall through to the statistics file
            }
        }
        String statistics = d.modelMetrics() == null || d.modelMetrics().modelQuality() == null
                || d.modelMetrics().modelQuality().statistics() == null ? null
                : d.modelMetrics().modelQuality().statistics().s3Uri();
        if (statistics == null) {
            return ChampionLookup.none("approved champion " + label + " records no " + metric
                    + " (no metadata '" + META_METRIC_PREFIX + metric + "', no ModelQuality statistics): compared with the threshold only");
        }
        Matcher uri = S3_URI.matcher(statistics);
        if (!uri.matches()) {
            return ChampionLookup.none("approved champion " + label + " has unreadable statistics URI '" + statistics
                    + "': compared with the threshold only");
        }
        try {
            byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(uri.group(1)).key(uri.group(2))).asByteArray();
            double v = EvaluationReport.parse(bytes, statistics).require(metric);
            return new ChampionLookup(d.modelPackageArn(), label, v, null);
        } catch (NoSuchKeyException e) {
            return ChampionLookup.none("approved champion " + label + "'s statistics " + statistics
                    + " no longer exist: compared with the threshold only");
        } catch (InvalidEvaluationException e) {
            return ChampionLookup.none("approved champion " + label + " has no usable " + metric + " ("
                    + e.getMessage() + "): compared with the threshold only");
        }
    }

    private static String otherMetrics(EvaluationReport report, String gateMetric) {
        return report.knownMetrics().entrySet().stream().filter(e -> !e.getKey().equals(gateMetric))
                .map(e -> e.getKey() + " " + QualityGate.format(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    // ---------------------------------------------------------------- helpers

    private static List<Tag> tags(EvaluateParams params, Config config) {
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.builder().key(TAG_EXECUTION).value(params.executionId()).build());
        if (params.commitId() != null) {
            tags.add(Tag.builder().key(TAG_COMMIT).value(params.commitId()).build());
        }
        tags.add(Tag.builder().key(TAG_PROJECT).value(config.prefix()).build());
        return tags;
    }

    /**
     * The container of a package this execution registered (one container, as {@link #register} writes).
     * A package without one was not written by this handler: fail rather than deploy something else.
     */
    private static ModelPackageContainerDefinition firstContainer(DescribeModelPackageResponse d) {
        InferenceSpecification spec = d.inferenceSpecification();
        if (spec == null || !spec.hasContainers() || spec.containers().isEmpty()
                || spec.containers().get(0).image() == null || spec.containers().get(0).modelDataUrl() == null) {
            throw JobFailedException.jobFailed("model package " + d.modelPackageArn() + " carries this execution's "
                    + META_EXECUTION + " metadata but no InferenceSpecification container with Image and ModelDataUrl, "
                    + "so DEV cannot be built from it. Release a new change so Evaluate registers a new package.");
        }
        return spec.containers().get(0);
    }

    static String runKey(String executionId, String rest) {
        return "runs/" + executionId + "/" + rest;
    }

    /**
     * CreateModelPackage's idempotency token (1-36 characters of [a-zA-Z0-9-]): 32 hex characters of
     * SHA-256 over the execution id and attempt, then {@code -<attempt>}.
     */
    static String clientToken(String executionId, int attempt) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("evaluate\u0000" + executionId + "\u0000" + attempt).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 32) + "-" + attempt;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** {@code arn:...:model-package/<group>/<version>} → {@code <version>}. */
    static String versionOf(String modelPackageArn) {
        int slash = modelPackageArn.lastIndexOf('/');
        return slash < 0 ? "?" : modelPackageArn.substring(slash + 1);
    }
}
