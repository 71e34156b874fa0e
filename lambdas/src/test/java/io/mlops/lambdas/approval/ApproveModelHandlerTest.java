package io.mlops.lambdas.approval;

import static io.mlops.lambdas.testing.Fixtures.EXEC;
import static io.mlops.lambdas.testing.Fixtures.GROUP;
import io.mlops.contract.EnvNames;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApproveModelHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + GROUP + "/7";
    static final String DESCRIBE = "SageMaker.DescribeModelPackage";
    static final String UPDATE = "SageMaker.UpdateModelPackage";
    static final String EVENT = Fixtures.event("approve-model-job.json");

    static void invoke(HandlerEnv env, String event) {
        Fixtures.invoke(new ApproveModelHandler(ApproveModelHandler.Deps.of(env, aws.clients())), event, new TestContext());
    }

    static void invoke(String event) {
        invoke(new HandlerEnv(Map.of(EnvNames.MODEL_PACKAGE_GROUP, GROUP)), event);
    }

    static String pkg(String group, String approval, String extra) {
        return "{\"ModelPackageGroupName\":\"" + group + "\",\"ModelPackageVersion\":7,\"ModelPackageArn\":\"" + ARN
                + "\",\"ModelPackageStatus\":\"Completed\",\"ModelApprovalStatus\":\"" + approval + "\","
                + "\"CreationTime\":1763800000" + extra + "}";
    }

    @Test
    void approvesAPendingPackageWithADescriptionNamingTheExecution() {
        aws.ok(DESCRIBE, pkg(GROUP, "PendingManualApproval", ""));
        aws.ok(UPDATE, "{\"ModelPackageArn\":\"" + ARN + "\"}");

        invoke(EVENT);

        assertThat(aws.onlyRequest(DESCRIBE).path("ModelPackageName").asText()).isEqualTo(ARN);
        JsonNode update = aws.onlyRequest(UPDATE);
        assertThat(update.path("ModelPackageArn").asText()).isEqualTo(ARN);
        assertThat(update.path("ModelApprovalStatus").asText()).isEqualTo("Approved");
        assertThat(update.path("ApprovalDescription").asText())
                .isEqualTo("Approved in CodePipeline execution " + EXEC + " after manual approval");
        assertThat(update.path("ModelLifeCycle").path("Stage").asText()).isEqualTo("Development");
        assertThat(update.path("ModelLifeCycle").path("StageStatus").asText()).isEqualTo("Approved");
        JsonNode success = aws.jobSuccess();
        assertThat(success.path("outputVariables").path("ModelPackageArn").asText()).isEqualTo(ARN);
        assertThat(success.path("outputVariables").path("ModelPackageVersion").asText()).isEqualTo("7");
        assertThat(success.path("executionDetails").path("summary").asText()).contains("v7", "set to Approved", EXEC);
    }

    @Test
    void succeedsWithoutAnUpdateWhenThePackageIsAlreadyApproved() {
        aws.ok(DESCRIBE, pkg(GROUP, "Approved",
                ",\"ApprovalDescription\":\"Approved in CodePipeline execution " + EXEC + " after manual approval\""));

        invoke(EVENT);

        assertThat(aws.count(UPDATE)).isZero();
        JsonNode success = aws.jobSuccess();
        assertThat(success.path("outputVariables").path("ModelPackageVersion").asText()).isEqualTo("7");
        assertThat(success.path("executionDetails").path("summary").asText()).contains("already Approved");
    }

    @Test
    void failsWhenThePackageWasRejectedBecauseApprovalDoesNotOverrideTheGate() {
        aws.ok(DESCRIBE, pkg(GROUP, "Rejected", ""));
        aws.ok(UPDATE, "{\"ModelPackageArn\":\"" + ARN + "\"}");

        invoke(EVENT);

        JsonNode update = aws.onlyRequest(UPDATE);
        assertThat(update.has("ModelApprovalStatus")).as("the approval status is not touched").isFalse();
        assertThat(update.path("ModelLifeCycle").path("Stage").asText()).isEqualTo("Rejected");
        assertThat(update.path("ModelLifeCycle").path("StageStatus").asText()).isEqualTo("Rejected");
        aws.assertJobFailed("JobFailed", ARN, "Rejected", "does not override",
                "SageMaker Studio", "push a new commit");
    }

    @Test
    void failsWithTheRejectionWhenRecordingTheLifeCycleIsDenied() {
        aws.ok(DESCRIBE, pkg(GROUP, "Rejected", ""));
        aws.error(UPDATE, 400, "AccessDeniedException", "not authorized");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", ARN, "Rejected", "does not override",
                "Recording ModelLifeCycle Rejected failed: AccessDeniedException");
    }

    @Test
    void leavesARejectedPackageAloneWhenItsLifeCycleAlreadySaysRejected() {
        aws.ok(DESCRIBE, pkg(GROUP, "Rejected", ",\"ModelLifeCycle\":{\"Stage\":\"Rejected\",\"StageStatus\":\"Rejected\"}"));

        invoke(EVENT);

        assertThat(aws.count(UPDATE)).isZero();
        aws.assertJobFailed("JobFailed", ARN, "Rejected");
    }

    @Test
    void failsWithConfigurationErrorForAPackageOfAnotherGroupWithoutCallingSageMaker() {
        invoke(Fixtures.withUserParameters(EVENT, "{\"modelPackageArn\":\"arn:aws:sagemaker:us-east-1:123456789012:"
                + "model-package/other-group/2\",\"executionId\":\"" + EXEC + "\"}"));

        aws.assertJobFailed("ConfigurationError", "other-group", GROUP, "MODEL_PACKAGE_GROUP");
        assertThat(aws.count(DESCRIBE)).isZero();
    }

    @Test
    void failsWhenSageMakerPlacesThePackageInAnotherGroup() {
        aws.ok(DESCRIBE, pkg("someone-elses-group", "PendingManualApproval", ""));

        invoke(EVENT);

        assertThat(aws.count(UPDATE)).isZero();
        assertThat(aws.jobFailure().path("message").asText()).contains("someone-elses-group", "refusing");
    }

    @Test
    void failsClearlyWhenThePackageDoesNotExist() {
        aws.error(DESCRIBE, 400, "ValidationException", "ModelPackage " + ARN + " does not exist.");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", ARN, "does not exist", "Release a new change");
    }

    @Test
    void retriesAThrottledUpdate() {
        aws.ok(DESCRIBE, pkg(GROUP, "PendingManualApproval", ""));
        aws.throttleOnceThen(UPDATE, "{\"ModelPackageArn\":\"" + ARN + "\"}");

        invoke(EVENT);

        assertThat(aws.count(UPDATE)).isEqualTo(2);
        assertThat(aws.jobSuccess().path("outputVariables").path("ModelPackageArn").asText()).isEqualTo(ARN);
    }

    @Test
    void failsWithPermissionErrorWhenTheUpdateIsDenied() {
        aws.ok(DESCRIBE, pkg(GROUP, "PendingManualApproval", ""));
        aws.error(UPDATE, 400, "AccessDeniedException", "User is not authorized to perform: sagemaker:UpdateModelPackage");

        invoke(EVENT);

        aws.assertJobFailed("PermissionError", "sagemaker:UpdateModelPackage", "lambdas/README.md");
    }

    @Test
    void failsWithConfigurationErrorForAMalformedArn() {
        invoke(Fixtures.withUserParameters(EVENT, "{\"modelPackageArn\":\"mlops-bank-marketing/7\",\"executionId\":\"" + EXEC + "\"}"));

        aws.assertJobFailed("ConfigurationError", "'mlops-bank-marketing/7'", "#{Evaluate.ModelPackageArn}");
    }

    @Test
    void failsWithConfigurationErrorForAnUnresolvedVariableOrAMissingParameter() {
        invoke(Fixtures.withUserParameters(EVENT, "{\"modelPackageArn\":\"#{Evaluate.ModelPackageArn}\",\"executionId\":\"" + EXEC + "\"}"));
        assertThat(aws.jobFailure().path("message").asText()).contains("unresolved", "#{Evaluate.ModelPackageArn}");

        aws.server().resetRequests();
        invoke(Fixtures.withUserParameters(EVENT, "{\"modelPackageArn\":\"" + ARN + "\"}"));
        assertThat(aws.jobFailure().path("message").asText()).contains("'executionId' is missing");
    }

}
