package io.mlops.lambdas.sagemaker;

import software.amazon.awssdk.services.sagemaker.model.ProcessingInput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3DataDistributionType;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3DataType;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3Input;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3InputMode;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.pipeline.JobFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeProcessingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ProcessingJobStatus;

/**
 * The lifecycle of the SageMaker Processing jobs of one purpose (e.g. {@code evaluation}) in a pipeline
 * execution: one job per attempt, created with {@link SageMakerJobs#attempts} (a name that exists is this
 * execution's job: InProgress, Stopping or Completed is reused, Failed or Stopped moves on to the next
 * attempt, up to {@code maxAttempts}), described with {@link SageMakerJobs#describeExisting}, and its
 * status mapped to what the action does ({@link #phase}).
 */
public final class ProcessingJobs {
    /** CloudWatch log group of SageMaker processing jobs; streams are {@code <job>/<host>}. */
    public static final String LOG_GROUP = "/aws/sagemaker/ProcessingJobs";

    /**
     * An input that copies the S3 prefix {@code s3Uri} to {@code localPath} before the job starts (File mode,
     * every instance gets all of it): how the evaluation and the drift monitor jobs get their files.
     */
    public static ProcessingInput s3Input(String name, String s3Uri, String localPath) {
        return ProcessingInput.builder().inputName(name)
                .s3Input(ProcessingS3Input.builder().s3Uri(s3Uri).localPath(localPath)
                        .s3DataType(ProcessingS3DataType.S3_PREFIX).s3InputMode(ProcessingS3InputMode.FILE)
                        .s3DataDistributionType(ProcessingS3DataDistributionType.FULLY_REPLICATED).build())
                .build();
    }

    /** What a job's status means for the action; Failed, Stopped and unknown statuses throw instead. */
    public enum Phase { RUNNING, COMPLETED }

    /** The outcome of a job started by {@link #launch}; {@code previousFailure}: the last ended attempt, or null. */
    @FunctionalInterface
    public interface Started<R> {
        R started(String name, int attempt, String previousFailure);
    }

    /** The outcome of an existing job {@link #launch} reuses (not Failed or Stopped). */
    @FunctionalInterface
    public interface Reused<R> {
        R reused(String name, int attempt, DescribeProcessingJobResponse job);
    }

    private final SageMakerClient sageMaker;
    private final String purpose;
    private final int maxAttempts;
    private final String runtimeLimit;

    /**
     * {@code purpose} names the jobs in messages ("evaluation processing job ..."); {@code runtimeLimit}
     * says where their maximum runtime is set (shown when a job was stopped).
     */
    public ProcessingJobs(SageMakerClient sageMaker, String purpose, int maxAttempts, String runtimeLimit) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.sageMaker = sageMaker;
        this.purpose = purpose;
        this.maxAttempts = maxAttempts;
        this.runtimeLimit = runtimeLimit;
    }

    /**
     * Starts (or finds) this execution's job: {@code names} gives attempt n's job name, {@code request} the
     * CreateProcessingJob request of a name. Throws a JobFailed failure when all attempts failed or were stopped.
     */
    public <R> R launch(String executionId, IntFunction<String> names,
            Function<String, CreateProcessingJobRequest> request, HandlerLog log, Started<R> started, Reused<R> reused) {
        return SageMakerJobs.attempts(maxAttempts, new SageMakerJobs.Attempts<DescribeProcessingJobResponse, R>() {
            @Override
            public String name(int attempt) {
                return names.apply(attempt);
            }

            @Override
            public R create(String name, int attempt, List<String> ended) {
                sageMaker.createProcessingJob(request.apply(name));
                log.info("started " + purpose + " processing job", Map.of("processingJob", name, "attempt", attempt));
                return started.started(name, attempt, ended.isEmpty() ? null : ended.get(ended.size() - 1));
            }

            @Override
            public void exists(String name) {
                log.info("processing job of this execution already exists", Map.of("processingJob", name));
            }

            @Override
            public DescribeProcessingJobResponse describe(String name) {
                return describeExisting(name);
            }

            @Override
            public Optional<String> ended(String name, DescribeProcessingJobResponse job) {
                ProcessingJobStatus status = job.processingJobStatus();
                return status == ProcessingJobStatus.FAILED || status == ProcessingJobStatus.STOPPED
                        ? Optional.of(name + " " + job.processingJobStatusAsString() + ": " + reason(job))
                        : Optional.empty();
            }

            @Override
            public R reuse(String name, int attempt, DescribeProcessingJobResponse job) {
                log.info("reusing the " + purpose + " processing job of this execution",
                        Map.of("processingJob", name, "status", job.processingJobStatusAsString()));
                return reused.reused(name, attempt, job);
            }

            @Override
            public RuntimeException exhausted(List<String> ended) {
                return JobFailedException.jobFailed(purpose + " already failed " + maxAttempts + " times for pipeline "
                        + "execution " + executionId + "; last attempt " + ended.get(ended.size() - 1) + ". Logs: "
                        + "CloudWatch log group " + LOG_GROUP + ". Fix the cause and release a new change (a new "
                        + "execution starts from attempt 1).");
            }
        });
    }

    /**
     * DescribeProcessingJob of the job this execution created ({@link SageMakerJobs#describeExisting}):
     * a missing job fails the action with SageMaker's message; throttling and server errors propagate.
     */
    public DescribeProcessingJobResponse describeExisting(String name) {
        return SageMakerJobs.describeExisting(() -> sageMaker.describeProcessingJob(r -> r.processingJobName(name)),
                error -> purpose + " processing job " + name + " no longer exists in SageMaker (" + error
                        + "). Retry the stage to start the next attempt.",
                error -> "SageMaker rejected DescribeProcessingJob for " + name + " (" + error
                        + "). If the job was deleted, retry the stage to start the next attempt.");
    }

    /**
     * RUNNING (InProgress, Stopping) or COMPLETED; a Failed, Stopped or unknown status fails the action
     * with the reason, the logs and the next step (retry while attempts remain, else a new change).
     */
    public Phase phase(String name, int attempt, DescribeProcessingJobResponse job) {
        ProcessingJobStatus status = job.processingJobStatus();
        if (status == ProcessingJobStatus.IN_PROGRESS || status == ProcessingJobStatus.STOPPING) {
            return Phase.RUNNING;
        }
        if (status == ProcessingJobStatus.COMPLETED) {
            return Phase.COMPLETED;
        }
        if (status == ProcessingJobStatus.FAILED) {
            throw JobFailedException.jobFailed(purpose + " processing job " + name + " failed: " + reason(job)
                    + ". Logs: CloudWatch log group " + LOG_GROUP + ", streams " + name + "/*. Fix the cause, then "
                    + nextStep(attempt) + ".");
        }
        if (status == ProcessingJobStatus.STOPPED) {
            throw JobFailedException.jobFailed(purpose + " processing job " + name + " was stopped"
                    + (job.failureReason() == null ? "" : ": " + job.failureReason())
                    + " (it is stopped when it runs longer than " + runtimeLimit + ", or by a person). Logs: CloudWatch "
                    + "log group " + LOG_GROUP + ". " + capitalise(nextStep(attempt)) + ".");
        }
        throw JobFailedException.jobFailed(purpose + " processing job " + name + " has a status this handler does not "
                + "know: '" + job.processingJobStatusAsString() + "'. Check the job in the SageMaker console, then retry the stage.");
    }

    /** What a person does after a failed attempt: retry (next attempt) while attempts remain, else push a change. */
    String nextStep(int attempt) {
        return attempt < maxAttempts
                ? "retry the stage (it starts attempt " + (attempt + 1) + ") or release a new change"
                : "release a new change (this execution has used all " + maxAttempts + " attempts)";
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The job's failure reason and exit message, or "no failure reason given". */
    public static String reason(DescribeProcessingJobResponse job) {
        List<String> parts = new ArrayList<>();
        if (job.failureReason() != null && !job.failureReason().isBlank()) {
            parts.add(job.failureReason().trim());
        }
        if (job.exitMessage() != null && !job.exitMessage().isBlank()) {
            parts.add("exit message: " + job.exitMessage().trim());
        }
        return parts.isEmpty() ? "no failure reason given" : String.join("; ", parts);
    }
}
