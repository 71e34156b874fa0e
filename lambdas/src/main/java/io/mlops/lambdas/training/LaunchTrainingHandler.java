package io.mlops.lambdas.training;

import io.mlops.contract.RunPaths;
import io.mlops.contract.Tags;
import io.mlops.contract.actions.LaunchTraining;
import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.naming.JobNames;
import io.mlops.lambdas.pipeline.ArtifactStore;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import io.mlops.lambdas.sagemaker.SageMakerJobs;
import io.mlops.lambdas.sagemaker.TrainingJobs;
import io.mlops.lambdas.settings.RunSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.CompressionType;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.ResourceConfig;
import software.amazon.awssdk.services.sagemaker.model.S3DataDistribution;
import software.amazon.awssdk.services.sagemaker.model.S3DataType;
import software.amazon.awssdk.services.sagemaker.model.StoppingCondition;
import software.amazon.awssdk.services.sagemaker.model.Tag;
import software.amazon.awssdk.services.sagemaker.model.TrainingInputMode;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * <b>LaunchTraining</b>: creates the SageMaker training job for this pipeline execution (or finds the
 * one already created) with the model image built for this commit, and exports its name.
 *
 * <p>The job is named {@code JobNames.forExecution(JOB_NAME_PREFIX, "train", executionId, attempt)}, which
 * always satisfies SageMaker's name rules. For attempt 1, 2, … up to {@value #MAX_ATTEMPTS} it calls
 * CreateTrainingJob; when the name exists (the documented {@code ResourceInUse}) it describes that job:
 * InProgress, Completed or Stopping → it counts as launched and is reused; Failed or Stopped (a "Retry" of
 * the stage keeps the execution id) → try the next attempt number. It never infers "no such job" from a
 * Describe error: SageMaker documents {@code ResourceNotFound} for that but answers {@code ValidationException}
 * (docs/contracts/aws-api.md). When all attempts have failed, the action fails and asks for a new execution.
 *
 * <p><b>CreateTrainingJob</b>: image {@code imageUri} (pinned: never {@code :latest}), File input mode, one
 * MetricDefinition per {@code METRIC <name>=<float>} line of docs/contracts/model-container.md; channels
 * {@code train} and {@code validation} = {@code s3://ARTIFACT_BUCKET/runs/<exec>/etl/{train,validation}/}
 * (S3Prefix, FullyReplicated, text/csv); output {@code s3://ARTIFACT_BUCKET/runs/<exec>/training/};
 * instance type/count/volume, {@code maxRuntimeSeconds}, hyperparameters (as strings), managed spot
 * (MaxWaitTime + checkpoints under {@code runs/<exec>/checkpoints/}) and warm pool
 * ({@code KeepAlivePeriodInSeconds}) from {@code training} in the run settings; network isolation and
 * inter-container traffic encryption on; {@code KMS_KEY_ARN}, when set, encrypts the output and the volumes;
 * tags {@code mlops:pipeline-execution-id}, {@code mlops:commit-id} (when known), {@code mlops:project}.
 *
 * <p><b>User parameters</b> ({@link LaunchTrainingParams}): {@code executionId} (required), {@code commitId}
 * (optional), {@code imageUri} (required, {@code #{BuildVariables.IMAGE_URI}}), {@code sourceArtifact}
 * (default {@code SourceOutput}), {@code settingsPath} (default {@code config/run-settings.json}).
 *
 * <p><b>Output variables</b>: {@code TrainingJobName}, {@code TrainingOutputUri}.
 *
 * <p><b>Environment</b>: {@code ARTIFACT_BUCKET}, {@code SAGEMAKER_ROLE_ARN}, {@code JOB_NAME_PREFIX} (default
 * {@code mlops}), {@code KMS_KEY_ARN} (optional), {@code AWS_REGION}.
 *
 * <p><b>IAM</b>: {@code sagemaker:DescribeTrainingJob}, {@code sagemaker:CreateTrainingJob},
 * {@code sagemaker:AddTags} on {@code arn:aws:sagemaker:<region>:<account>:training-job/<JOB_NAME_PREFIX>-train-*};
 * {@code iam:PassRole} on {@code SAGEMAKER_ROLE_ARN} (condition {@code iam:PassedToService} =
 * {@code sagemaker.amazonaws.com}); {@code codepipeline:PutJobSuccessResult}/{@code PutJobFailureResult}
 * (resource {@code *}). The source artifact is read with the job's artifact credentials. The SageMaker role
 * (not this function) needs the ECR pull, S3 read of {@code runs/<exec>/etl/*}, S3 write of
 * {@code runs/<exec>/training/*} and {@code runs/<exec>/checkpoints/*}, and the KMS key.
 */
public final class LaunchTrainingHandler extends PipelineJobHandler<LaunchTrainingParams> {
    /** Training jobs per execution: the first plus retries of the stage after failures. */
    static final int MAX_ATTEMPTS = 5;
    static final String DEFAULT_PREFIX = "mlops";
    /** Final metrics the container prints as {@code METRIC <name>=<float>} (docs/contracts/model-container.md). */
    static final List<String> METRICS = List.of("train:roc_auc", "validation:roc_auc", "validation:pr_auc",
            "validation:f1", "validation:accuracy");

    /**
     * What the handler works with: its configuration and the SDK clients (built once per container).
     * Tests build it with {@link #of} on clients pointed at a local stub.
     */
    public record Deps(HandlerConfig<LaunchTrainingConfig> config, CodePipelineClient codePipeline,
            SageMakerClient sageMaker, ArtifactStore artifacts) {
        /** Lambda: the configuration and the clients (region, credentials) from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(env, ClientFactory.fromEnv(env));
        }

        /** The configuration read from {@code env}, the clients from {@code clients}. */
        public static Deps of(HandlerEnv env, ClientFactory clients) {
            return new Deps(HandlerConfig.fromEnv(env, LaunchTrainingConfig::from), clients.codePipeline(),
                    clients.sageMaker(), new ArtifactStore(clients));
        }
    }

    private final HandlerConfig<LaunchTrainingConfig> config;
    private final SageMakerClient sageMaker;
    private final ArtifactStore artifacts;

    /** Lambda entry point: clients built once per container from the function's environment. */
    public LaunchTrainingHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: explicit configuration and clients. */
    public LaunchTrainingHandler(Deps deps) {
        super(LaunchTrainingParams.class, deps.codePipeline());
        this.config = deps.config();
        this.sageMaker = deps.sageMaker();
        this.artifacts = deps.artifacts();
    }

    @Override
    protected JobOutcome run(PipelineJob<LaunchTrainingParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        LaunchTrainingParams p = job.params();
        LaunchTrainingConfig cfg = config.get();
        String prefix = cfg.jobNamePrefix();
        String exec = p.executionId();

        RunSettings settings = RunSettings.parse(artifacts.readFile(job, p.sourceArtifact(), p.settingsPath()),
                p.sourceArtifact() + ":" + p.settingsPath());
        return SageMakerJobs.attempts(MAX_ATTEMPTS, new SageMakerJobs.Attempts<DescribeTrainingJobResponse, JobOutcome>() {
            @Override
            public String name(int attempt) {
                return JobNames.forExecution(prefix, "train", exec, attempt);
            }

            @Override
            public JobOutcome create(String name, int attempt, List<String> ended) {
                return LaunchTrainingHandler.this.create(job, settings, name, attempt, cfg, log);
            }

            @Override
            public void exists(String name) {
                log.info("training job of this execution already exists", Map.of("job", name));
            }

            @Override
            public DescribeTrainingJobResponse describe(String name) {
                return sageMaker.describeTrainingJob(r -> r.trainingJobName(name));
            }

            @Override
            public Optional<String> ended(String name, DescribeTrainingJobResponse d) {
                TrainingJobStatus status = d.trainingJobStatus();
                return status == TrainingJobStatus.FAILED || status == TrainingJobStatus.STOPPED
                        ? Optional.of(name + " " + d.trainingJobStatusAsString()
                                + (d.failureReason() == null ? "" : ": " + d.failureReason()))
                        : Optional.empty();
            }

            @Override
            public JobOutcome reuse(String name, int attempt, DescribeTrainingJobResponse d) {
                TrainingJobStatus status = d.trainingJobStatus();
                if (status == TrainingJobStatus.IN_PROGRESS || status == TrainingJobStatus.COMPLETED
                        || status == TrainingJobStatus.STOPPING) {
                    log.info("reusing the training job of this execution", Map.of("job", name, "status", d.trainingJobStatusAsString()));
                    return reused(d);
                }
                throw JobFailedException.jobFailed("training job " + name + " reports status '" + d.trainingJobStatusAsString()
                        + "', which this handler does not know; check it in the SageMaker console ("
                        + TrainingJobs.whereToLook(cfg.region(), name) + ") and update the lambdas module if SageMaker added a status.");
            }

            @Override
            public RuntimeException exhausted(List<String> ended) {
                return JobFailedException.jobFailed("all " + MAX_ATTEMPTS + " training jobs of pipeline execution " + exec
                        + " failed or were stopped, so this handler will not start another: " + String.join("; ", ended)
                        + ". Fix the cause (see " + TrainingJobs.LOG_GROUP + "), push, and let a new execution run (Release change).");
            }
        });
    }

    private JobOutcome reused(DescribeTrainingJobResponse d) {
        String output = d.outputDataConfig() == null ? "" : d.outputDataConfig().s3OutputPath();
        return JobOutcome.succeeded("Training job " + d.trainingJobName() + " of this execution already exists ("
                + d.trainingJobStatusAsString() + (d.secondaryStatus() == null ? "" : " / " + d.secondaryStatusAsString())
                + "); reusing it", outputs(d.trainingJobName(), output));
    }

    /** CreateTrainingJob; a name that exists answers ResourceInUseException, which {@link SageMakerJobs#attempts} handles. */
    private JobOutcome create(PipelineJob<LaunchTrainingParams> job, RunSettings settings, String name, int attempt,
            LaunchTrainingConfig cfg, HandlerLog log) {
        String bucket = cfg.artifactBucket();
        String role = cfg.roleArn();
        String prefix = cfg.jobNamePrefix();
        LaunchTrainingParams p = job.params();
        String exec = p.executionId();
        RunSettings.Training t = settings.training();
        Optional<String> kms = cfg.kmsKeyArn();
        String outputUri = RunPaths.s3Uri(bucket, RunPaths.training(exec));
        boolean spot = t.spot().enabled();

        ResourceConfig.Builder resources = ResourceConfig.builder()
                .instanceType(t.instanceType())
                .instanceCount(t.instanceCount())
                .volumeSizeInGB(t.volumeSizeGb());
        kms.ifPresent(resources::volumeKmsKeyId);
        if (t.warmPoolKeepAliveSeconds() > 0) {
            resources.keepAlivePeriodInSeconds(t.warmPoolKeepAliveSeconds());
        }
        StoppingCondition.Builder stopping = StoppingCondition.builder().maxRuntimeInSeconds(t.maxRuntimeSeconds());
        if (spot) {
            stopping.maxWaitTimeInSeconds(t.spot().maxWaitSeconds());
        }
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.builder().key(Tags.EXECUTION).value(exec).build());
        if (p.commitId() != null) {
            tags.add(Tag.builder().key(Tags.COMMIT).value(p.commitId()).build());
        }
        tags.add(Tag.builder().key(Tags.PROJECT).value(prefix).build());

        CreateTrainingJobRequest.Builder request = CreateTrainingJobRequest.builder()
                .trainingJobName(name)
                .algorithmSpecification(a -> a.trainingImage(p.imageUri())
                        .trainingInputMode(TrainingInputMode.FILE)
                        .metricDefinitions(METRICS.stream().map(m -> MetricDefinition.builder().name(m)
                                .regex("METRIC " + m + "=([-+0-9.eE]+)").build()).toList()))
                .roleArn(role)
                .inputDataConfig(channel("train", RunPaths.s3Uri(bucket, RunPaths.etlSplit(exec, "train"))),
                        channel("validation", RunPaths.s3Uri(bucket, RunPaths.etlSplit(exec, "validation"))))
                .outputDataConfig(o -> o.s3OutputPath(outputUri).kmsKeyId(kms.orElse(null)))
                .resourceConfig(resources.build())
                .stoppingCondition(stopping.build())
                .hyperParameters(settings.trainingHyperparameters())
                .enableNetworkIsolation(true)
                .enableInterContainerTrafficEncryption(true)
                .tags(tags);
        if (spot) {
            request.enableManagedSpotTraining(true).checkpointConfig(c -> c.s3Uri(RunPaths.s3Uri(bucket, RunPaths.checkpoints(exec))));
        }
        sageMaker.createTrainingJob(request.build());
        log.info("created training job", Map.of("job", name, "attempt", attempt, "image", p.imageUri()));
        return JobOutcome.succeeded("Created training job " + name + (attempt > 1 ? " (attempt " + attempt + ")" : "")
                + " with image " + p.imageUri() + " on " + t.instanceType() + " x" + t.instanceCount()
                + (spot ? ", managed spot" : "") + (t.warmPoolKeepAliveSeconds() > 0 ? ", warm pool " + t.warmPoolKeepAliveSeconds() + " s" : "")
                + "; output " + outputUri, outputs(name, outputUri));
    }

    private static Channel channel(String name, String s3Uri) {
        return Channel.builder()
                .channelName(name)
                .contentType("text/csv")
                .compressionType(CompressionType.NONE)
                .dataSource(d -> d.s3DataSource(s -> s.s3DataType(S3DataType.S3_PREFIX)
                        .s3Uri(s3Uri)
                        .s3DataDistributionType(S3DataDistribution.FULLY_REPLICATED)))
                .build();
    }

    private static Map<String, String> outputs(String name, String outputUri) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put(LaunchTraining.Output.TrainingJobName.name(), name);
        vars.put(LaunchTraining.Output.TrainingOutputUri.name(), outputUri);
        return vars;
    }
}
