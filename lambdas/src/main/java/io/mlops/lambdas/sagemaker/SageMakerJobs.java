package io.mlops.lambdas.sagemaker;

import io.mlops.lambdas.core.AwsErrors;
import io.mlops.lambdas.pipeline.JobFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;

/**
 * What the SageMaker job lifecycles share (training jobs in {@link TrainingJobs}, processing jobs in
 * {@link ProcessingJobs}): the attempt loop of a job named per pipeline execution and attempt, and the
 * Describe of a job that should exist. Both read errors only by their code (docs/contracts/aws-api.md).
 */
public final class SageMakerJobs {
    private SageMakerJobs() {
    }

    /**
     * One job kind's steps for {@link #attempts}. {@code D} is the Describe answer, {@code R} what the
     * loop returns (the action's outcome).
     */
    public interface Attempts<D, R> {
        /** The job name of attempt {@code attempt} (1, 2, ...). */
        String name(int attempt);

        /**
         * Creates the job {@code name} and returns the outcome of a started job. A name that exists must
         * surface as SageMaker's documented {@link ResourceInUseException}. {@code ended}: the summaries
         * of the earlier attempts that ended, oldest first.
         */
        R create(String name, int attempt, List<String> ended);

        /** Told that the job {@code name} exists already (CreateX answered ResourceInUse); e.g. log it. */
        default void exists(String name) {
        }

        /** Describes the job {@code name}, which exists. */
        D describe(String name);

        /** Why the job ended (Failed, Stopped: the next attempt is tried), or empty: it is reused. */
        Optional<String> ended(String name, D job);

        /** The outcome for the existing job {@code name}, which did not end; may throw (an unknown status). */
        R reuse(String name, int attempt, D job);

        /** The failure when all attempts ended; {@code ended}: their summaries, oldest first. */
        RuntimeException exhausted(List<String> ended);
    }

    /**
     * For attempt 1 to {@code maxAttempts}: create the job; when its name exists, describe it and reuse it
     * unless it ended, else go on with the next attempt. Throws {@link Attempts#exhausted} when all ended.
     */
    public static <D, R> R attempts(int maxAttempts, Attempts<D, R> steps) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        List<String> ended = new ArrayList<>();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            String name = steps.name(attempt);
            try {
                return steps.create(name, attempt, List.copyOf(ended));
            } catch (ResourceInUseException e) {
                // The documented answer to a name that exists (docs/contracts/aws-api.md): this execution's job.
                steps.exists(name);
            }
            D job = steps.describe(name);
            Optional<String> why = steps.ended(name, job);
            if (why.isEmpty()) {
                return steps.reuse(name, attempt, job);
            }
            ended.add(why.get());
        }
        throw steps.exhausted(List.copyOf(ended));
    }

    /**
     * DescribeX of a job that should exist. SageMaker documents {@code ResourceNotFound} for a missing job
     * but answers {@code ValidationException} (aws/aws-sdk#165); the error message is never parsed. Either
     * code fails the action (JobFailed) with the message {@code missing} or {@code rejected} builds from
     * SageMaker's {@code <code>: <message>}; throttling and server errors propagate (the SDK has retried them).
     */
    public static <D> D describeExisting(Supplier<D> describe, UnaryOperator<String> missing,
            UnaryOperator<String> rejected) {
        try {
            return describe.get();
        } catch (ResourceNotFoundException e) {
            throw JobFailedException.jobFailed(missing.apply(AwsErrors.codeAndMessage(e)), e);
        } catch (AwsServiceException e) {
            if (AwsErrors.hasCode(e, AwsErrors.VALIDATION_EXCEPTION)) {
                throw JobFailedException.jobFailed(rejected.apply(AwsErrors.codeAndMessage(e)), e);
            }
            throw e;
        }
    }
}
