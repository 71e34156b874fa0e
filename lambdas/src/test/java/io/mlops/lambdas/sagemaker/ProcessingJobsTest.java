package io.mlops.lambdas.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.lambdas.pipeline.JobFailedException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.DescribeProcessingJobResponse;

class ProcessingJobsTest {
    static final String JOB = "mlops-eval-0f6c1e2a";
    // Status mapping never calls SageMaker.
    static final ProcessingJobs JOBS = new ProcessingJobs(null, "evaluation", 3, "evaluation.maxRuntimeSeconds in x.json");

    static DescribeProcessingJobResponse job(String status, String failureReason, String exitMessage) {
        return DescribeProcessingJobResponse.builder().processingJobName(JOB).processingJobStatus(status)
                .failureReason(failureReason).exitMessage(exitMessage).build();
    }

    @Test
    void mapsInProgressAndStoppingToRunningAndCompletedToCompleted() {
        assertThat(JOBS.phase(JOB, 1, job("InProgress", null, null))).isEqualTo(ProcessingJobs.Phase.RUNNING);
        assertThat(JOBS.phase(JOB, 1, job("Stopping", null, null))).isEqualTo(ProcessingJobs.Phase.RUNNING);
        assertThat(JOBS.phase(JOB, 1, job("Completed", null, null))).isEqualTo(ProcessingJobs.Phase.COMPLETED);
    }

    @Test
    void failsOnAFailedJobWithReasonLogsAndTheNextAttempt() {
        assertThatThrownBy(() -> JOBS.phase(JOB, 1, job("Failed", " AlgorithmError: boom ", "Traceback")))
                .isInstanceOf(JobFailedException.class)
                .hasMessage("evaluation processing job " + JOB + " failed: AlgorithmError: boom; exit message: Traceback. "
                        + "Logs: CloudWatch log group /aws/sagemaker/ProcessingJobs, streams " + JOB + "/*. Fix the cause, "
                        + "then retry the stage (it starts attempt 2) or release a new change.");
    }

    @Test
    void failsOnAStoppedJobOfTheLastAttemptAskingForANewChange() {
        assertThatThrownBy(() -> JOBS.phase(JOB, 3, job("Stopped", null, null)))
                .isInstanceOf(JobFailedException.class)
                .hasMessage("evaluation processing job " + JOB + " was stopped (it is stopped when it runs longer than "
                        + "evaluation.maxRuntimeSeconds in x.json, or by a person). Logs: CloudWatch log group "
                        + "/aws/sagemaker/ProcessingJobs. Release a new change (this execution has used all 3 attempts).");
    }

    @Test
    void failsOnAStatusItDoesNotKnow() {
        assertThatThrownBy(() -> JOBS.phase(JOB, 1, job("Paused", null, null)))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("has a status this handler does not know: 'Paused'");
    }

    @Test
    void reasonSaysSoWhenSageMakerGivesNone() {
        assertThat(ProcessingJobs.reason(job("Failed", " ", null))).isEqualTo("no failure reason given");
        assertThat(ProcessingJobs.reason(job("Failed", null, "exit 1"))).isEqualTo("exit message: exit 1");
    }

    @Test
    void failsOnFewerThanOneAttempt() {
        assertThatThrownBy(() -> new ProcessingJobs(null, "evaluation", 0, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    }
}
