package io.mlops.lambdas.sagemaker;

import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/** Helpers the training handlers share. */
public final class TrainingJobs {
    /** CloudWatch log group of SageMaker training jobs; streams are {@code <job>/algo-<n>-<epoch>}. */
    public static final String LOG_GROUP = "/aws/sagemaker/TrainingJobs";

    private TrainingJobs() {
    }

    /**
     * DescribeTrainingJob of a job that should exist ({@link SageMakerJobs#describeExisting}): a missing job
     * ({@code ResourceNotFound}, or the {@code ValidationException} SageMaker answers instead) fails the
     * action with SageMaker's message and {@code whatToDo}; throttling and server errors propagate.
     */
    public static DescribeTrainingJobResponse describeExisting(SageMakerClient sageMaker, String name, String whatToDo) {
        return SageMakerJobs.describeExisting(() -> sageMaker.describeTrainingJob(r -> r.trainingJobName(name)),
                error -> "training job " + name + " does not exist in this account and region (" + error + "). " + whatToDo,
                error -> "SageMaker rejected DescribeTrainingJob for " + name + " (" + error + "). If the job does not exist: "
                        + whatToDo);
    }

    /** Where a person looks at the job: console link (when the region is known) and log group. */
    public static String whereToLook(Optional<String> region, String jobName) {
        String logs = "CloudWatch log group " + LOG_GROUP + ", log streams " + jobName + "/algo-*";
        return region
                .map(r -> logs + "; console https://" + r + ".console.aws.amazon.com/sagemaker/home?region="
                        + r + "#/jobs/" + jobName)
                .orElse(logs);
    }
}
