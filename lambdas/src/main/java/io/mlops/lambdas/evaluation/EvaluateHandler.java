package io.mlops.lambdas.evaluation;

import io.mlops.contract.EnvNames;
import io.mlops.contract.RunPaths;
import io.mlops.contract.actions.Evaluate;
import io.mlops.contract.Tags.PackageMetadata;
import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.evaluation.EvaluationReport.InvalidEvaluationException;
import io.mlops.lambdas.evaluation.QualityGate.Decision;
import io.mlops.lambdas.naming.JobNames;
import io.mlops.lambdas.pipeline.ArtifactStore;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import io.mlops.lambdas.registry.ModelRegistryClient;
import io.mlops.lambdas.registry.ModelRegistryClient.Registered;
import io.mlops.lambdas.sagemaker.ProcessingJobs;
import io.mlops.lambdas.settings.RunSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeProcessingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;

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
    static final String NONE = "none";
    static final String DEFAULT_PREFIX = "mlops";

    /**
     * The continuation token: which processing job this execution is waiting for, and the gate
     * settings read on the first invocation (so later invocations need not read the artifact again).
     */
    public record State(String processingJobName, int attempt, String metric, double threshold, double maxRegression) {
    }

    /**
     * What the handler works with: its configuration and the SDK clients (built once per container).
     * Tests build it with {@link #of} on clients pointed at a local stub.
     */
    public record Deps(HandlerConfig<EvaluateConfig> config, CodePipelineClient codePipeline, SageMakerClient sageMaker,
            S3Client s3, ArtifactStore artifacts) {
        /** Lambda: the configuration and the clients (region, credentials) from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(env, ClientFactory.fromEnv(env));
        }

        /** The configuration read from {@code env}, the clients from {@code clients}. */
        public static Deps of(HandlerEnv env, ClientFactory clients) {
            return new Deps(HandlerConfig.fromEnv(env, EvaluateConfig::from), clients.codePipeline(), clients.sageMaker(),
                    clients.s3(), new ArtifactStore(clients));
        }
    }

    private final HandlerConfig<EvaluateConfig> config;
    private final S3Client s3;
    private final ArtifactStore artifacts;
    private final ProcessingJobs processingJobs;
    private final ModelRegistryClient registry;

    /** Lambda entry point: clients built once per container. */
    public EvaluateHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: explicit configuration and clients. */
    public EvaluateHandler(Deps deps) {
        super(EvaluateParams.class, deps.codePipeline());
        this.config = deps.config();
        this.s3 = deps.s3();
        this.artifacts = deps.artifacts();
        this.processingJobs = new ProcessingJobs(deps.sageMaker(), "evaluation", MAX_ATTEMPTS,
                "evaluation.maxRuntimeSeconds in " + EvaluateParams.DEFAULT_SETTINGS_PATH);
        this.registry = new ModelRegistryClient(deps.sageMaker());
    }

    @Override
    protected JobOutcome run(PipelineJob<EvaluateParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        EvaluateConfig config = this.config.get();
        EvaluateParams params = job.params();
        if (job.isContinuation()) {
            State state = job.continuation(State.class);
            return onStatus(params, config, state, processingJobs.describeExisting(state.processingJobName()), log);
        }
        String source = params.sourceArtifact() + ":" + params.settingsPath();
        RunSettings settings = RunSettings.parse(artifacts.readFile(job, params.sourceArtifact(), params.settingsPath()), source);
        return launch(params, config, settings, log);
    }

    // ---------------------------------------------------------------- processing job

    private JobOutcome launch(EvaluateParams params, EvaluateConfig config, RunSettings settings, HandlerLog log) {
        RunSettings.QualityGate gate = settings.qualityGate();
        return processingJobs.launch(params.executionId(),
                attempt -> JobNames.forExecution(config.prefix(), JOB_KIND, params.executionId(), attempt),
                name -> EvaluationJob.request(params, config, settings.evaluation(), name), log,
                (name, attempt, previous) -> JobOutcome.inProgress("Started evaluation processing job " + name
                        + " (attempt " + attempt + ", " + settings.evaluation().instanceType() + ")"
                        + (previous == null ? "" : "; previous: " + previous), state(name, attempt, gate)),
                (name, attempt, job) -> onStatus(params, config, state(name, attempt, gate), job, log));
    }

    private static State state(String name, int attempt, RunSettings.QualityGate gate) {
        return new State(name, attempt, gate.metric(), gate.threshold(), gate.maxRegression());
    }

    private JobOutcome onStatus(EvaluateParams params, EvaluateConfig config, State state, DescribeProcessingJobResponse job,
            HandlerLog log) {
        return switch (processingJobs.phase(state.processingJobName(), state.attempt(), job)) {
            case RUNNING -> JobOutcome.inProgress("Evaluation processing job " + state.processingJobName() + " is "
                    + job.processingJobStatusAsString() + " (attempt " + state.attempt() + ")", state);
            case COMPLETED -> finish(params, config, state, log);
        };
    }

    // ---------------------------------------------------------------- gate and registration

    private JobOutcome finish(EvaluateParams params, EvaluateConfig config, State state, HandlerLog log) {
        String exec = params.executionId();
        String key = RunPaths.evaluationReport(exec);
        String evaluationUri = "s3://" + config.artifactBucket() + "/" + key;
        byte[] bytes;
        try {
            bytes = s3.getObjectAsBytes(r -> r.bucket(config.artifactBucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw JobFailedException.jobFailed("evaluation processing job " + state.processingJobName()
                    + " completed but wrote no " + evaluationUri + ". The evaluate entry point must write "
                    + EvaluationJob.EVALUATION_OUTPUT_PATH + "/evaluation.json (docs/contracts/model-container.md); see its logs in "
                    + ProcessingJobs.LOG_GROUP + ".");
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
        if (!registry.groupExists(config.modelPackageGroup())) {
            throw JobFailedException.configuration("model package group '" + config.modelPackageGroup()
                    + "' (environment variable " + EnvNames.MODEL_PACKAGE_GROUP + ") does not exist: "
                    + "ListModelPackageGroups finds no group of that exact name. It is created by the ModelGroup custom "
                    + "resource; deploy the stack (cdk deploy), then retry the stage.");
        }
        ChampionLookup champion = ChampionLookup.find(registry, s3, config.modelPackageGroup(), state.metric());
        Decision decision = gate.evaluate(value, champion.champion());
        log.info("quality gate applied", Map.of("passed", decision.passed(), "checks", decision.checks()));

        Optional<Registered> earlier = registry.findRegistered(config.modelPackageGroup(), exec);
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
        outputs.put(Evaluate.Output.ModelPackageArn.name(), pkg.arn());
        outputs.put(Evaluate.Output.ModelPackageVersion.name(), pkg.version());
        outputs.put(Evaluate.Output.GateMetric.name(), state.metric());
        outputs.put(Evaluate.Output.GateValue.name(), QualityGate.format(value));
        outputs.put(Evaluate.Output.GateThreshold.name(), QualityGate.format(state.threshold()));
        outputs.put(Evaluate.Output.ChampionArn.name(), champion.value() == null ? NONE : champion.arn());
        outputs.put(Evaluate.Output.ChampionValue.name(), champion.value() == null ? NONE : QualityGate.format(champion.value()));
        outputs.put(Evaluate.Output.MetricsSummary.name(), summaryLine);
        outputs.put(Evaluate.Output.ModelImageUri.name(), pkg.image());
        outputs.put(Evaluate.Output.ModelDataUrl.name(), pkg.modelDataUrl());
        return JobOutcome.succeeded("Model package v" + pkg.version() + " " + pkg.approvalStatus() + ": " + summaryLine
                + disagreement, outputs);
    }

    private Registered register(EvaluateParams params, EvaluateConfig config, State state, EvaluationReport report,
            Decision decision, String evaluationUri) {
        ModelApprovalStatus status = decision.passed() ? ModelApprovalStatus.PENDING_MANUAL_APPROVAL : ModelApprovalStatus.REJECTED;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(PackageMetadata.EXECUTION, params.executionId());
        if (params.commitId() != null) {
            metadata.put(PackageMetadata.COMMIT, params.commitId());
        }
        if (params.datasetSha256() != null) {
            metadata.put(PackageMetadata.DATASET, params.datasetSha256());
        }
        report.knownMetrics().forEach((name, v) -> metadata.put(PackageMetadata.METRIC_PREFIX + name, Double.toString(v)));
        metadata.put(PackageMetadata.GATE, decision.passed() ? "passed" : "failed");
        metadata.put(PackageMetadata.GATE_METRIC, state.metric());
        metadata.put(PackageMetadata.GATE_THRESHOLD, Double.toString(state.threshold()));
        metadata.put(PackageMetadata.GATE_MAX_REGRESSION, Double.toString(state.maxRegression()));
        return registry.create(new ModelRegistryClient.NewPackage(config.modelPackageGroup(),
                ModelRegistryClient.description(params.executionId(), params.commitId(), decision.summary()),
                params.imageUri(), params.modelDataUrl(), status, evaluationUri,
                "CodePipeline execution " + params.executionId(), params.commitId(), metadata,
                ModelRegistryClient.clientToken(params.executionId(), state.attempt()), config.inferenceInstanceTypes()));
    }

    private static String otherMetrics(EvaluationReport report, String gateMetric) {
        return report.knownMetrics().entrySet().stream().filter(e -> !e.getKey().equals(gateMetric))
                .map(e -> e.getKey() + " " + QualityGate.format(e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
