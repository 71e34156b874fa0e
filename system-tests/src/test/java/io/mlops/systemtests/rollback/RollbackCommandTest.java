package io.mlops.systemtests.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code rollback} in-process against {@link ControlPlaneFake}, credentials from the default chain (system properties). */
class RollbackCommandTest {
    @RegisterExtension
    static final ControlPlaneFake aws = new ControlPlaneFake();
    private static final String ID = "rollback-20261203180000";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void credentials() {
        System.setProperty("aws.accessKeyId", "AKIDTEST");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    @AfterAll
    static void clearCredentials() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    private static void history() {
        aws.version(1, "Approved", "Archived", "Retired");
        aws.version(2, "Approved", "Archived", "Retired");
        aws.version(3, "Approved", "Production", "Deployed");
        aws.version(4, "PendingManualApproval", "Development", "InProgress");
        aws.deployed(3, "exec-3");
    }

    @Test
    void listsTheApprovedVersionsWithStageCreationTimeAndWhatPrdServes() {
        history();

        assertThat(run("--list")).as(err()).isZero();

        assertThat(out()).startsWith("rollback: Approved versions of mlops-bank-marketing (newest first; stack "
                + "mlops-endpoint-prd, us-east-1)\n");
        List<String> lines = out().lines().toList();
        assertThat(lines.get(1)).matches("VERSION +STAGE +CREATED +PRD +ARN");
        assertThat(lines.get(2)).matches("3 +Production +2026-11-04T10:00:00Z +serving +" + aws.pkg(3).arn);
        assertThat(lines.get(3)).matches("2 +Archived +2026-11-03T10:00:00Z +- +" + aws.pkg(2).arn);
        assertThat(lines.get(4)).matches("1 +Archived +2026-11-02T10:00:00Z +- +" + aws.pkg(1).arn);
        assertThat(lines).hasSize(5);
        assertThat(aws.mutations()).isEmpty();
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() {
        history();

        assertThat(run("--dry-run", "--id", ID)).as(err()).isZero();

        assertThat(out()).contains("rollback: plan (us-east-1)\n"
                + "  stack mlops-endpoint-prd: UpdateStack with the previous template; ModelPackageArn = " + aws.pkg(2).arn
                + ", PipelineExecutionId = " + ID + ", every other parameter its previous value\n"
                + "  endpoint mlops-prd: from version 3 (Production, serving) to version 2 (Archived), new config mlops-prd-"
                + ID + " (same blue/green canary and alarms)\n"
                + "  registry mlops-bank-marketing after a verified redeploy: version 2 -> Production; version 3 -> Rejected "
                + "(ModelApprovalStatus and ModelLifeCycle) with the reason\n"
                + "rollback: dry run, nothing changed\n");
        assertThat(aws.operations()).isNotEmpty();
        assertThat(aws.mutations()).isEmpty();
        assertThat(aws.servedPackage()).isEqualTo(aws.pkg(3).arn);
    }

    @Test
    void rollsBackToTheChosenVersion() {
        history();

        assertThat(run("--to", "1", "--reason", "  latency p99 x3 since v3  ", "--id", ID)).as(err()).isZero();

        assertThat(out()).contains("rollback: done: endpoint mlops-prd serves version 1 (config mlops-prd-" + ID
                + "); registry: version 1 Production, version 3 Rejected");
        assertThat(aws.servedPackage()).isEqualTo(aws.pkg(1).arn);
        assertThat(aws.pkg(3).approval).isEqualTo("Rejected");
        assertThat(aws.pkg(3).approvalDescription).isEqualTo("latency p99 x3 since v3");
        assertThat(aws.pkg(1).stage).isEqualTo("Production");
    }

    @Test
    void failsWithExitStatus1AndTheReasonWhenTheStackUpdateRollsBack() {
        history();
        aws.outcome = ControlPlaneFake.Outcome.ROLLS_BACK;

        assertThat(run("--reason", "bad", "--id", ID)).isEqualTo(1);

        assertThat(err()).contains("rollback: stack mlops-endpoint-prd ended in UPDATE_ROLLBACK_COMPLETE").contains(
                "The registry is unchanged.");
        assertThat(aws.mutations()).containsExactly("UpdateStack");
    }

    @Test
    void failsWithExitStatus1OnAnAwsError() {
        history();

        assertThat(run("--project", "other", "--dry-run")).isEqualTo(1);

        assertThat(err()).contains("rollback: AWS answered ValidationError: Stack with id other-endpoint-prd does not exist "
                + "(HTTP 400)");
    }

    @Test
    void failsWithAUsageErrorWithoutReason() {
        history();

        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("rollback: --reason TEXT is required for a rollback");
        err.reset();
        assertThat(run("--reason", "   ")).isEqualTo(2);
        assertThat(err()).contains("--reason TEXT is required");
        assertThat(aws.requests()).isEmpty();
    }

    @Test
    void failsWithAUsageErrorOnBadOptions() {
        assertThat(run("--list", "--to", "2")).isEqualTo(2);
        assertThat(err()).contains("--list takes no --to");
        err.reset();
        assertThat(run("--reson", "x")).isEqualTo(2);
        assertThat(err()).contains("unknown option --reson (did you mean --reason?)");
        err.reset();
        assertThat(run("--reason", "x".repeat(1025))).isEqualTo(2);
        assertThat(err()).contains("--reason has 1025 characters; the registry keeps 1024");
        err.reset();
        assertThat(RollbackCommand.run(new String[] {"--reason", "x", "--timeout", "soon", "--endpoint-url",
                aws.url().toString()}, print(out), print(err))).isEqualTo(2);
        assertThat(err()).contains("--timeout must be a duration like 30s, 500ms, 2m or 1h; received 'soon'");
        assertThat(aws.requests()).isEmpty();

        out.reset();
        assertThat(RollbackCommand.run(new String[] {"--help"}, print(out), print(err))).isZero();
        assertThat(out()).contains("Usage: rollback [options]").contains("--reason TEXT").contains("--dry-run")
                .contains("--list").contains("--to VERSION|ARN").contains("--endpoint-url URL");
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--region", "us-east-1", "--endpoint-url", aws.url().toString(), "--poll", "10ms", "--timeout",
                "20s"));
        return RollbackCommand.run(all.toArray(String[]::new), print(out), print(err));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
