package io.mlops.systemtests.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.rollback.ControlPlaneFake.Outcome;
import io.mlops.systemtests.rollback.ControlPlaneFake.Pkg;
import io.mlops.systemtests.rollback.Rollback.Plan;
import io.mlops.systemtests.rollback.Rollback.RollbackException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** {@link Rollback} with the real SDK clients over HTTP against {@link ControlPlaneFake} (CloudFormation + SageMaker). */
class RollbackTest {
    @RegisterExtension
    static final ControlPlaneFake aws = new ControlPlaneFake();
    private static final String ID = "rollback-20261203174500";
    private static final String REASON = "v4 doubles the false positives on the November traffic (INC-1234)";

    private Rollback rollback;

    @BeforeEach
    void setUp() {
        AwsClients clients = new AwsClients(Region.US_EAST_1, aws.url(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
        rollback = new Rollback(clients.cloudFormation(), clients.sageMaker(), Duration.ofMillis(10), Duration.ofSeconds(20));
    }

    /** v1, v2 Archived; v3 failed the gate; v4 in Production, served; v5 waits for the approval. */
    private static void history() {
        aws.version(1, "Approved", "Archived", "Retired");
        aws.version(2, "Approved", "Archived", "Retired");
        aws.version(3, "Rejected", "Rejected", "Rejected");
        aws.version(4, "Approved", "Production", "Deployed");
        aws.version(5, "PendingManualApproval", "Development", "InProgress");
        aws.deployed(4, "exec-4");
    }

    @Test
    void rollsBackToThePreviousApprovedVersionAndLeavesRegistryAndEndpointAgreeing() {
        history();

        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);
        assertThat(plan.endpoint()).isEqualTo("mlops-prd");
        assertThat(plan.from().version()).isEqualTo("4");
        assertThat(plan.from().serving()).isTrue();
        assertThat(plan.to().version()).isEqualTo("2");
        assertThat(plan.configName()).isEqualTo("mlops-prd-" + ID);
        assertThat(plan.warnings()).isEmpty();
        assertThat(aws.mutations()).isEmpty();

        String summary = rollback.execute(plan, REASON);

        assertThat(summary).isEqualTo("endpoint mlops-prd serves version 2 (config mlops-prd-" + ID + "); registry: "
                + "version 2 Production, version 4 Rejected");
        assertThat(aws.updateStacks()).hasSize(1);
        Map<String, String> update = aws.updateStacks().get(0);
        assertThat(update).containsEntry("StackName", "mlops-endpoint-prd").containsEntry("UsePreviousTemplate", "true")
                .containsEntry("ClientRequestToken", ID).doesNotContainKeys("TemplateBody", "TemplateURL", "RoleARN",
                        "Capabilities.member.1");
        Map<String, String> given = parameters(update);
        assertThat(given).containsEntry("ModelPackageArn", aws.pkg(2).arn).containsEntry("PipelineExecutionId", ID)
                .containsEntry("ModelExecutionRoleArn", "previous").containsEntry("KmsKeyArn", "previous")
                .containsEntry("DataCaptureS3Uri", "previous").containsEntry("AlarmTopicArn", "previous").hasSize(6);

        assertThat(aws.endpointConfig).isEqualTo("mlops-prd-" + ID);
        assertThat(aws.servedPackage()).isEqualTo(aws.pkg(2).arn);
        assertThat(state(2)).isEqualTo("Approved Production/Deployed");
        assertThat(aws.pkg(2).stageDescription).isEqualTo("Rolled back from version 4 by bin/rollback (" + ID + ")");
        assertThat(state(4)).isEqualTo("Rejected Rejected/Rejected");
        assertThat(aws.pkg(4).approvalDescription).isEqualTo(REASON);
        assertThat(aws.pkg(4).stageDescription).isEqualTo("Rolled back to version 2 by bin/rollback (" + ID + "): " + REASON);
        assertThat(state(1)).isEqualTo("Approved Archived/Retired");
        assertThat(state(5)).isEqualTo("PendingManualApproval Development/InProgress");
        assertThat(aws.packages.values().stream().filter(p -> "Production".equals(p.stage)).map(p -> p.version))
                .containsExactly(2);
        assertThat(aws.mutations()).containsExactly("UpdateStack", "UpdateModelPackage", "UpdateModelPackage",
                "UpdateModelPackage");
    }

    @Test
    void rollsBackToAVersionChosenByNumberOrArn() {
        history();

        Plan byNumber = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.of("1"), ID);
        assertThat(byNumber.to().version()).isEqualTo("1");
        Plan byArn = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.of(aws.pkg(1).arn), ID);
        assertThat(byArn.to()).isEqualTo(byNumber.to());

        rollback.execute(byArn, REASON);

        assertThat(aws.servedPackage()).isEqualTo(aws.pkg(1).arn);
        assertThat(state(1)).isEqualTo("Approved Production/Deployed");
        assertThat(state(2)).isEqualTo("Approved Archived/Retired");
        assertThat(state(4)).isEqualTo("Rejected Rejected/Rejected");
    }

    @Test
    void findsTheVersionInProductionBeyondTheFirstPageOfApprovedVersions() {
        // 250 Approved versions: v10 is in Production (so 240 newer ones were approved but never promoted), v9 before it.
        for (int v = 1; v <= 250; v++) {
            aws.version(v, "Approved", v == 10 ? "Production" : "Archived", v == 10 ? "Deployed" : "Retired");
        }
        aws.deployed(10, "exec-10");

        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);

        assertThat(aws.listCalls).isEqualTo(3);
        assertThat(plan.from().version()).isEqualTo("10");
        assertThat(plan.to().version()).isEqualTo("9");
        assertThat(rollback.list(ControlPlaneFake.STACK, ControlPlaneFake.GROUP)).hasSize(250)
                .extracting(Rollback.Version::version).startsWith("250", "249").endsWith("2", "1");
    }

    @Test
    void failsWhenNoApprovedVersionIsOlderThanTheOneInProduction() {
        aws.version(1, "Rejected", "Rejected", "Rejected");
        aws.version(2, "Approved", "Production", "Deployed");
        aws.version(3, "PendingManualApproval", "Development", "InProgress");
        aws.deployed(2, "exec-2");

        assertThatThrownBy(() -> rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID))
                .isInstanceOf(RollbackException.class)
                .hasMessage("no Approved version of mlops-bank-marketing is older than version 2 (Production); nothing to "
                        + "roll back to. Choose one with --to (see --list).");
        assertThat(aws.mutations()).isEmpty();
    }

    @Test
    void failsOnAToVersionThatIsNotApprovedOrIsTheBadOne() {
        history();

        assertThatThrownBy(() -> rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.of("3"), ID))
                .hasMessage("--to 3 is not an Approved version of mlops-bank-marketing; Approved versions: 4, 2, 1 (see --list)");
        assertThatThrownBy(() -> rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.of("4"), ID))
                .hasMessageStartingWith("--to 4 is version 4, the one being rolled back from");
        assertThat(aws.mutations()).isEmpty();
    }

    @Test
    void failsLeavingTheRegistryUntouchedWhenTheStackUpdateRollsBack() {
        history();
        aws.outcome = Outcome.ROLLS_BACK;
        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);
        String before = registry();

        assertThatThrownBy(() -> rollback.execute(plan, REASON)).isInstanceOf(RollbackException.class)
                .hasMessage("stack mlops-endpoint-prd ended in UPDATE_ROLLBACK_COMPLETE, not UPDATE_COMPLETE: the rollback "
                        + "to version 2 failed and CloudFormation rolled the stack back to the previous deployment. The "
                        + "registry is unchanged. See the stack's events in the CloudFormation console, fix the cause and "
                        + "run bin/rollback again.");

        assertThat(registry()).isEqualTo(before);
        assertThat(aws.servedPackage()).isEqualTo(aws.pkg(4).arn);
        assertThat(aws.mutations()).containsExactly("UpdateStack");
    }

    @Test
    void failsLeavingTheRegistryUntouchedWhenTheEndpointDoesNotServeTheNewConfig() {
        history();
        aws.outcome = Outcome.ENDPOINT_KEEPS_OLD_CONFIG;
        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);
        String before = registry();

        assertThatThrownBy(() -> rollback.execute(plan, REASON)).isInstanceOf(RollbackException.class)
                .hasMessage("stack mlops-endpoint-prd is UPDATE_COMPLETE but endpoint mlops-prd is InService with config "
                        + "mlops-prd-exec-4, expected InService with mlops-prd-" + ID + " serving " + aws.pkg(2).arn
                        + " (SageMaker may have rolled the canary back on an alarm). The registry is unchanged; check the "
                        + "endpoint's alarms and events.");

        assertThat(registry()).isEqualTo(before);
        assertThat(aws.mutations()).containsExactly("UpdateStack");
    }

    @Test
    void failsLeavingTheRegistryUntouchedWhenTheNewConfigRunsAnotherPackage() {
        history();
        aws.deployedPackageOverride = aws.pkg(1).arn;
        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);
        String before = registry();

        assertThatThrownBy(() -> rollback.execute(plan, REASON)).isInstanceOf(RollbackException.class)
                .hasMessageStartingWith("stack mlops-endpoint-prd is UPDATE_COMPLETE but endpoint mlops-prd is InService with "
                        + "config mlops-prd-" + ID + " serving " + aws.pkg(1).arn + ", expected InService with mlops-prd-"
                        + ID + " serving " + aws.pkg(2).arn);

        assertThat(registry()).isEqualTo(before);
        assertThat(aws.mutations()).containsExactly("UpdateStack");
    }

    @Test
    void failsSayingWhatToFinishByHandWhenTheRegistryRefusesTheRejection() {
        history();
        aws.refuseUpdateOf = aws.pkg(4).arn;
        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);

        assertThatThrownBy(() -> rollback.execute(plan, REASON)).isInstanceOf(RollbackException.class)
                .hasMessageStartingWith("endpoint mlops-prd serves version 2 (config mlops-prd-" + ID + "), but recording "
                        + "it in the registry failed (ValidationException: Model package " + aws.pkg(4).arn
                        + " does not exist.). Finish by hand: aws sagemaker update-model-package --model-package-arn ")
                .hasMessageContaining("--model-package-arn " + aws.pkg(4).arn + " --model-approval-status Rejected");

        assertThat(aws.servedPackage()).isEqualTo(aws.pkg(2).arn);
        assertThat(state(2)).isEqualTo("Approved Production/Deployed");
        assertThat(state(4)).isEqualTo("Approved Production/Deployed");
    }

    @Test
    void planFallsBackToThePackageTheEndpointServesWhenNoVersionIsInProduction() {
        aws.version(1, "Approved", "Development", "Approved");
        aws.version(2, "Approved", "Development", "Approved");
        aws.version(3, "Approved", "Development", "Approved");
        aws.deployed(2, "exec-2");

        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);

        assertThat(plan.from().version()).isEqualTo("2");
        assertThat(plan.to().version()).isEqualTo("1");
        assertThat(rollback.list(ControlPlaneFake.STACK, ControlPlaneFake.GROUP)).extracting(Rollback.Version::serving)
                .containsExactly(false, true, false);
        assertThat(aws.mutations()).isEmpty();
    }

    @Test
    void planWarnsWhenTheRegistryAndTheEndpointDisagree() {
        history();
        aws.deployed(1, "exec-1");

        Plan plan = rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID);

        assertThat(plan.from().version()).isEqualTo("4");
        assertThat(plan.describe()).contains("warning: the registry has version 4 in Production but mlops-prd serves "
                + aws.pkg(1).arn + "; the rollback replaces whatever it serves");
    }

    @Test
    void failsWhenTheStackIsBeingDeployed() {
        history();
        aws.busy("UPDATE_IN_PROGRESS");

        assertThatThrownBy(() -> rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(), ID))
                .hasMessageStartingWith("stack mlops-endpoint-prd is UPDATE_IN_PROGRESS; a rollback starts only from "
                        + "CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE");
        assertThat(aws.mutations()).isEmpty();
    }

    @Test
    void failsOnAnIdTheTemplateRejects() {
        assertThatThrownBy(() -> rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(),
                "rollback_1")).hasMessageContaining("rollback id 'rollback_1' is not valid");
        assertThatThrownBy(() -> rollback.plan(ControlPlaneFake.STACK, ControlPlaneFake.GROUP, Optional.empty(),
                "r".repeat(37))).hasMessageContaining("1-36 characters");
        assertThat(aws.requests()).isEmpty();
    }

    @Test
    void newIdsAreValidTemplateParameters() {
        String id = Rollback.newExecutionId(Instant.parse("2026-12-03T17:45:00Z"));
        assertThat(id).isEqualTo("rollback-20261203174500").matches("[a-zA-Z0-9-]{1,36}").matches(Rollback.ID);
        assertThat(Rollback.nameOf(ControlPlaneFake.endpointArn())).isEqualTo("mlops-prd");
        assertThat(Rollback.nameOf("mlops-prd")).isEqualTo("mlops-prd");
        assertThat(Rollback.samePackage("mlops-bank-marketing/2", "arn:aws:sagemaker:us-east-1:1:model-package/mlops-bank-marketing/2"))
                .isTrue();
        assertThat(Rollback.samePackage("mlops-bank-marketing/2", "arn:aws:sagemaker:us-east-1:1:model-package/mlops-bank-marketing/12"))
                .isFalse();
        assertThat(Rollback.samePackage("arn:aws:sagemaker:us-east-1:1:model-package/other/2",
                "arn:aws:sagemaker:us-east-1:1:model-package/mlops-bank-marketing/2")).isFalse();
    }

    private static Map<String, String> parameters(Map<String, String> form) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int i = 1; form.containsKey("Parameters.member." + i + ".ParameterKey"); i++) {
            String value = form.get("Parameters.member." + i + ".ParameterValue");
            boolean previous = "true".equals(form.get("Parameters.member." + i + ".UsePreviousValue"));
            out.put(form.get("Parameters.member." + i + ".ParameterKey"), previous && value == null ? "previous" : value);
        }
        return out;
    }

    private static String state(int version) {
        Pkg p = aws.pkg(version);
        return p.approval + " " + p.stage + "/" + p.stageStatus;
    }

    private static String registry() {
        return aws.packages.values().stream().map(p -> p.version + ":" + p.approval + ":" + p.approvalDescription + ":"
                + p.stage + "/" + p.stageStatus + ":" + p.stageDescription).collect(Collectors.joining("\n"));
    }
}
