package io.mlops.lambdas.training;

import io.mlops.contract.actions.MonitorTraining;
import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import io.mlops.lambdas.sagemaker.TrainingJobs;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;

/**
 * <b>MonitorTraining</b>: polls the training job with continuation tokens until it ends.
 *
 * <p>InProgress/Stopping: the action stays in progress; its summary shows the SecondaryStatus and the
 * status message of the latest SecondaryStatusTransition (e.g. "Training - Training image download
 * completed. Training in progress."). Completed: exports the model artifact URI, the billable seconds and
 * one variable per final metric. Failed: fails the action with SageMaker's FailureReason and where the logs
 * are. Stopped: fails it saying so, and when SageMaker stopped it at MaxRuntime (or spot MaxWaitTime), which
 * run setting to raise.
 *
 * <p><b>User parameters</b> ({@link MonitorTrainingParams}): {@code trainingJobName} (required,
 * {@code #{TrainLaunch.TrainingJobName}}).
 *
 * <p><b>Output variables</b>: {@code ModelDataUrl} (ModelArtifacts.S3ModelArtifacts), {@code TrainingJobName},
 * {@code BillableSeconds} (BillableTimeInSeconds, else TrainingTimeInSeconds; left out when SageMaker reports
 * neither), and {@code metric_<name>} per FinalMetricDataList entry, the name made variable-safe (every
 * character outside {@code [A-Za-z0-9@_-]} becomes {@code _}: {@code validation:roc_auc} →
 * {@code metric_validation_roc_auc}).
 *
 * <p><b>Environment</b>: {@code AWS_REGION} (also used for the console link in messages).
 *
 * <p><b>IAM</b>: {@code sagemaker:DescribeTrainingJob} on
 * {@code arn:aws:sagemaker:<region>:<account>:training-job/<JOB_NAME_PREFIX>-train-*};
 * {@code codepipeline:PutJobSuccessResult}/{@code PutJobFailureResult} (resource {@code *}).
 */
public final class MonitorTrainingHandler extends PipelineJobHandler<MonitorTrainingParams> {

    /** Continuation state: how many times this action has polled the job. */
    public record Poll(int polls) {
    }

    /**
     * What the handler works with: its configuration and the SDK clients (built once per container).
     * Tests build it with {@link #of} on clients pointed at a local stub.
     */
    public record Deps(HandlerConfig<MonitorTrainingConfig> config, CodePipelineClient codePipeline,
            SageMakerClient sageMaker) {
        /** Lambda: the configuration and the clients (region, credentials) from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(env, ClientFactory.fromEnv(env));
        }

        /** The configuration read from {@code env}, the clients from {@code clients}. */
        public static Deps of(HandlerEnv env, ClientFactory clients) {
            return new Deps(HandlerConfig.fromEnv(env, MonitorTrainingConfig::from), clients.codePipeline(),
                    clients.sageMaker());
        }
    }

    private final HandlerConfig<MonitorTrainingConfig> config;
    private final SageMakerClient sageMaker;

    /** Lambda entry point: clients built once per container from the function's environment. */
    public MonitorTrainingHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: explicit configuration and clients. */
    public MonitorTrainingHandler(Deps deps) {
        super(MonitorTrainingParams.class, deps.codePipeline());
        this.config = deps.config();
        this.sageMaker = deps.sageMaker();
    }

    @Override
    protected JobOutcome run(PipelineJob<MonitorTrainingParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        String name = job.params().trainingJobName();
        int polls = job.isContinuation() ? job.continuation(Poll.class).polls() : 0;
        DescribeTrainingJobResponse d = TrainingJobs.describeExisting(sageMaker, name, "trainingJobName must be the "
                + "LaunchTraining output variable of this execution (#{TrainLaunch.TrainingJobName}); Retry the "
                + "training stage so LaunchTraining creates the job.");
        String status = d.trainingJobStatusAsString();
        String secondary = d.secondaryStatus() == null ? "" : d.secondaryStatusAsString();
        log.info("training job status", Map.of("job", name, "status", String.valueOf(status), "secondaryStatus", secondary,
                "polls", polls + 1));
        if (d.trainingJobStatus() == null) {
            throw unknownStatus(name, status);
        }
        return switch (d.trainingJobStatus()) {
            case IN_PROGRESS, STOPPING -> JobOutcome.inProgress(progress(d, polls + 1), new Poll(polls + 1));
            case COMPLETED -> completed(d);
            case FAILED -> throw JobFailedException.jobFailed("training job " + name + " failed"
                    + (secondary.isEmpty() ? "" : " (" + secondary + ")") + ": "
                    + (d.failureReason() == null || d.failureReason().isBlank() ? "SageMaker gave no FailureReason"
                            : d.failureReason().strip())
                    + ". Logs: " + TrainingJobs.whereToLook(config.get().region(), name) + ". Fix the cause (the image's train entry point, "
                    + "the hyperparameters or the data), push, or Retry the stage to start a new attempt.");
            case STOPPED -> throw JobFailedException.jobFailed(stopped(d));
            default -> throw unknownStatus(name, status);
        };
    }

    private JobFailedException unknownStatus(String name, String status) {
        return JobFailedException.jobFailed("training job " + name + " reports status '" + status + "', which this "
                + "handler does not know; check it (" + TrainingJobs.whereToLook(config.get().region(), name) + ") and update the lambdas "
                + "module if SageMaker added a status.");
    }

    private static String progress(DescribeTrainingJobResponse d, int poll) {
        StringBuilder s = new StringBuilder("Training job ").append(d.trainingJobName()).append(' ')
                .append(d.trainingJobStatusAsString());
        if (d.secondaryStatus() != null) {
            s.append(": ").append(d.secondaryStatusAsString());
        }
        latestTransition(d).map(SecondaryStatusTransition::statusMessage).filter(m -> m != null && !m.isBlank())
                .ifPresent(m -> s.append(" - ").append(m.strip()));
        return s.append(" (poll ").append(poll).append(')').toString();
    }

    private static Optional<SecondaryStatusTransition> latestTransition(DescribeTrainingJobResponse d) {
        if (!d.hasSecondaryStatusTransitions() || d.secondaryStatusTransitions().isEmpty()) {
            return Optional.empty();
        }
        // Chronological per the API; the max start time makes it independent of the order.
        return d.secondaryStatusTransitions().stream().max(Comparator.comparing(
                (SecondaryStatusTransition t) -> t.startTime() == null ? Instant.EPOCH : t.startTime()));
    }

    private JobOutcome completed(DescribeTrainingJobResponse d) {
        String name = d.trainingJobName();
        String model = d.modelArtifacts() == null ? null : d.modelArtifacts().s3ModelArtifacts();
        if (model == null || model.isBlank()) {
            throw JobFailedException.jobFailed("training job " + name + " Completed but reports no model artifacts "
                    + "(ModelArtifacts.S3ModelArtifacts), so there is nothing to evaluate. Check that the image's train "
                    + "entry point writes the model to /opt/ml/model/ (docs/contracts/model-container.md). Logs: "
                    + TrainingJobs.whereToLook(config.get().region(), name) + ".");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put(MonitorTraining.Output.ModelDataUrl.name(), model);
        vars.put(MonitorTraining.Output.TrainingJobName.name(), name);
        Integer billable = d.billableTimeInSeconds() != null ? d.billableTimeInSeconds() : d.trainingTimeInSeconds();
        if (billable != null) {
            vars.put(MonitorTraining.Output.BillableSeconds.name(), Integer.toString(billable));
        }
        StringBuilder metrics = new StringBuilder();
        if (d.hasFinalMetricDataList()) {
            for (MetricData metric : d.finalMetricDataList()) {
                if (metric.metricName() == null || metric.value() == null) {
                    continue;
                }
                vars.put(variableName(metric.metricName()), Float.toString(metric.value()));
                metrics.append(metrics.length() == 0 ? "" : ", ").append(metric.metricName()).append('=').append(metric.value());
            }
        }
        return JobOutcome.succeeded("Training job " + name + " Completed" + (billable == null ? "" : " (" + billable + " billable s)")
                + "; model " + model + (metrics.length() == 0 ? "; no final metrics reported" : "; " + metrics), vars);
    }

    /** {@code validation:roc_auc} → {@code metric_validation_roc_auc}; CodePipeline keys allow [A-Za-z0-9@_-]. */
    static String variableName(String metricName) {
        return "metric_" + metricName.replaceAll("[^A-Za-z0-9@_-]", "_");
    }

    private String stopped(DescribeTrainingJobResponse d) {
        String name = d.trainingJobName();
        SecondaryStatus secondary = d.secondaryStatus();
        Integer maxRuntime = d.stoppingCondition() == null ? null : d.stoppingCondition().maxRuntimeInSeconds();
        Integer maxWait = d.stoppingCondition() == null ? null : d.stoppingCondition().maxWaitTimeInSeconds();
        if (secondary == SecondaryStatus.MAX_RUNTIME_EXCEEDED) {
            return "training job " + name + " was stopped by SageMaker because it reached its maximum runtime ("
                    + "MaxRuntimeInSeconds " + maxRuntime + "). Raise training.maxRuntimeSeconds in config/run-settings.json "
                    + "(or make training faster, e.g. a larger training.instanceType), then push. Logs: "
                    + TrainingJobs.whereToLook(config.get().region(), name) + ".";
        }
        if (secondary == SecondaryStatus.MAX_WAIT_TIME_EXCEEDED) {
            return "training job " + name + " was stopped because managed spot training waited longer than its "
                    + "MaxWaitTimeInSeconds (" + maxWait + ") for capacity and training. Raise training.spot.maxWaitSeconds or "
                    + "set training.spot.enabled to false in config/run-settings.json, then push.";
        }
        return "training job " + name + " was stopped" + (secondary == null ? "" : " (" + d.secondaryStatusAsString() + ")")
                + " before it completed, by a person or a StopTrainingJob call"
                + (d.failureReason() == null ? "" : ": " + d.failureReason().strip())
                + ". Retry the stage to start a new attempt. Raise training.maxRuntimeSeconds in "
                + "config/run-settings.json if it was stopped for taking too long.";
    }
}
