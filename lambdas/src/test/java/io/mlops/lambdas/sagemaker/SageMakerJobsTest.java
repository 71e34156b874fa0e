package io.mlops.lambdas.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.lambdas.pipeline.JobFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.codepipeline.model.FailureType;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

class SageMakerJobsTest {
    /** Jobs that exist (name → status); creating one of them answers ResourceInUse. Records every call. */
    static final class FakeJobs implements SageMakerJobs.Attempts<String, String> {
        final Map<String, String> existing;
        final Set<String> endedStatuses = Set.of("Failed", "Stopped");
        final List<String> calls = new ArrayList<>();
        final List<List<String>> endedAtCreate = new ArrayList<>();

        FakeJobs(Map<String, String> existing) {
            this.existing = existing;
        }

        @Override
        public String name(int attempt) {
            return attempt == 1 ? "job" : "job-" + attempt;
        }

        @Override
        public String create(String name, int attempt, List<String> ended) {
            calls.add("create " + name);
            if (existing.containsKey(name)) {
                throw ResourceInUseException.builder().message("exists").build();
            }
            endedAtCreate.add(ended);
            return "started " + name + " attempt " + attempt;
        }

        @Override
        public void exists(String name) {
            calls.add("exists " + name);
        }

        @Override
        public String describe(String name) {
            calls.add("describe " + name);
            return existing.get(name);
        }

        @Override
        public Optional<String> ended(String name, String status) {
            return endedStatuses.contains(status) ? Optional.of(name + " " + status) : Optional.empty();
        }

        @Override
        public String reuse(String name, int attempt, String status) {
            return "reused " + name + " " + status + " attempt " + attempt;
        }

        @Override
        public RuntimeException exhausted(List<String> ended) {
            return JobFailedException.jobFailed("all ended: " + String.join("; ", ended));
        }
    }

    @Test
    void createsTheFirstAttemptWithoutDescribing() {
        FakeJobs jobs = new FakeJobs(Map.of());

        assertThat(SageMakerJobs.attempts(3, jobs)).isEqualTo("started job attempt 1");
        assertThat(jobs.calls).containsExactly("create job");
        assertThat(jobs.endedAtCreate).containsExactly(List.of());
    }

    @Test
    void reusesAnExistingJobThatDidNotEnd() {
        FakeJobs jobs = new FakeJobs(Map.of("job", "InProgress"));

        assertThat(SageMakerJobs.attempts(3, jobs)).isEqualTo("reused job InProgress attempt 1");
        assertThat(jobs.calls).containsExactly("create job", "exists job", "describe job");
    }

    @Test
    void startsTheNextAttemptAfterEndedJobsAndPassesTheirSummaries() {
        FakeJobs jobs = new FakeJobs(Map.of("job", "Failed", "job-2", "Stopped"));

        assertThat(SageMakerJobs.attempts(5, jobs)).isEqualTo("started job-3 attempt 3");
        assertThat(jobs.calls).containsExactly("create job", "exists job", "describe job",
                "create job-2", "exists job-2", "describe job-2", "create job-3");
        assertThat(jobs.endedAtCreate).containsExactly(List.of("job Failed", "job-2 Stopped"));
    }

    @Test
    void failsWhenEveryAttemptEndedWithTheSummariesOldestFirst() {
        FakeJobs jobs = new FakeJobs(Map.of("job", "Failed", "job-2", "Stopped", "job-3", "Failed"));

        assertThatThrownBy(() -> SageMakerJobs.attempts(3, jobs))
                .isInstanceOf(JobFailedException.class)
                .hasMessage("all ended: job Failed; job-2 Stopped; job-3 Failed");
        assertThat(jobs.calls).doesNotContain("create job-4");
    }

    @Test
    void failsOnFewerThanOneAttempt() {
        assertThatThrownBy(() -> SageMakerJobs.attempts(0, new FakeJobs(Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1, got 0");
    }

    static <T extends AwsServiceException.Builder> AwsServiceException error(T builder, String code, int status) {
        return builder.awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("Requested resource not found.")
                .build()).statusCode(status).build();
    }

    @Test
    void describeExistingReturnsTheAnswer() {
        assertThat(SageMakerJobs.describeExisting(() -> "InProgress", e -> "missing " + e, e -> "rejected " + e))
                .isEqualTo("InProgress");
    }

    @Test
    void failsWithTheMissingMessageOnResourceNotFound() {
        AwsServiceException notFound = error(ResourceNotFoundException.builder(), "ResourceNotFound", 400);

        assertThatThrownBy(() -> SageMakerJobs.describeExisting(() -> {
            throw notFound;
        }, e -> "missing (" + e + ")", e -> "rejected (" + e + ")"))
                .isInstanceOfSatisfying(JobFailedException.class, e -> assertThat(e.type()).isEqualTo(FailureType.JOB_FAILED))
                .hasMessage("missing (ResourceNotFound: Requested resource not found.)")
                .hasCause(notFound);
    }

    @Test
    void failsWithTheRejectedMessageOnValidationException() {
        AwsServiceException validation = error(SageMakerException.builder(), "ValidationException", 400);

        assertThatThrownBy(() -> SageMakerJobs.describeExisting(() -> {
            throw validation;
        }, e -> "missing (" + e + ")", e -> "rejected (" + e + ")"))
                .isInstanceOf(JobFailedException.class)
                .hasMessage("rejected (ValidationException: Requested resource not found.)")
                .hasCause(validation);
    }

    @Test
    void failsWithTheServiceErrorItselfOnThrottling() {
        AwsServiceException throttled = error(SageMakerException.builder(), "ThrottlingException", 400);

        assertThatThrownBy(() -> SageMakerJobs.describeExisting(() -> {
            throw throttled;
        }, e -> "missing", e -> "rejected")).isSameAs(throttled);
    }
}
