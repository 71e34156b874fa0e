package io.mlops.lambdas.training;

import io.mlops.lambdas.core.AwsErrors;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.pipeline.JobFailedException;
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
     * DescribeTrainingJob of a job that should exist. SageMaker documents {@code ResourceNotFound} for a
     * missing job but answers {@code ValidationException} "Requested resource not found." (aws/aws-sdk#165);
     * the error message is never parsed. Either code fails the action with SageMaker's message and
     * {@code whatToDo}; throttling and server errors propagate (the SDK has retried them).
     */
    static DescribeTrainingJobResponse describeExisting(SageMakerClient sageMaker, String name, String whatToDo) {
        try {
            return sageMaker.describeTrainingJob(r -> r.trainingJobName(name));
        } catch (ResourceNotFoundException e) {
            throw JobFailedException.jobFailed("training job " + name + " does not exist in this account and region ("
                    + AwsErrors.codeAndMessage(e) + "). " + whatToDo, e);
        } catch (SageMakerException e) {
            if (AwsErrors.hasCode(e, AwsErrors.VALIDATION_EXCEPTION)) {
                throw JobFailedException.jobFailed("SageMaker rejected DescribeTrainingJob for " + name + " ("
                        + AwsErrors.codeAndMessage(e) + "). If the job does not exist: " + whatToDo, e);
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
