package io.mlops.lambdas.training;

import io.mlops.lambdas.core.AwsErrors;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.pipeline.JobFailedException;
import java.util.Locale;
import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/** Helpers the training handlers share. */
final class TrainingJobs {
    /** CloudWatch log group of SageMaker training jobs; streams are {@code <job>/algo-<n>-<epoch>}. */
    static final String LOG_GROUP = "/aws/sagemaker/TrainingJobs";

    private TrainingJobs() {
    }

    /**
     * DescribeTrainingJob, or empty when there is no such job. SageMaker answers a missing job with HTTP 400
     * {@code ValidationException} "Requested resource not found."; every other error propagates.
     */
    static Optional<DescribeTrainingJobResponse> describe(SageMakerClient sageMaker, String name) {
        try {
            return Optional.of(sageMaker.describeTrainingJob(r -> r.trainingJobName(name)));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        } catch (SageMakerException e) {
            if (AwsErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Where a person looks at the job: console link (when the region is known) and log group. */
    static String whereToLook(HandlerEnv env, String jobName) {
        String logs = "CloudWatch log group " + LOG_GROUP + ", log streams " + jobName + "/algo-*";
        return env.optional(HandlerEnv.AWS_REGION)
                .map(region -> logs + "; console https://" + region + ".console.aws.amazon.com/sagemaker/home?region="
                        + region + "#/jobs/" + jobName)
                .orElse(logs);
    }
}
