package io.mlops.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.contract.actions.ActionInput;
import io.mlops.contract.actions.Evaluate;
import io.mlops.contract.actions.EndpointTest;
import io.mlops.contract.actions.LaunchEtl;
import org.junit.jupiter.api.Test;

class ContractTest {

    @Test
    void userParametersKeepDeclarationOrderAndLeaveOutNulls() {
        var input = new LaunchEtl.Input("exec-1", null, "s3://b/builds/c/etl/etl.jar", null, null, null);
        assertThat(input.userParameters()).containsExactly(
                java.util.Map.entry("executionId", "exec-1"), java.util.Map.entry("etlJarUri", "s3://b/builds/c/etl/etl.jar"));
    }

    @Test
    void userParametersKeepNumbersAsNumbers() {
        var input = new EndpointTest("dev", "s3://b/t/", "s3://b/r/", "e", 0.75, 500, null, 2000);
        assertThat(input.userParameters()).containsEntry("minRocAuc", 0.75).containsEntry("maxP99Millis", 500)
                .doesNotContainKey("batchSize").containsEntry("maxRows", 2000);
    }

    @Test
    void failsWhenActionInputIsNotARecord() {
        ActionInput notARecord = new ActionInput() { };
        assertThatThrownBy(notARecord::userParameters).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be a record");
    }

    @Test
    void outputVariableRefIsCodePipelineSyntax() {
        assertThat(Evaluate.Output.ModelPackageArn.ref("Evaluate")).isEqualTo("#{Evaluate.ModelPackageArn}");
    }

    @Test
    void runPathsFollowTheDesignLayout() {
        assertThat(RunPaths.run("e")).isEqualTo("runs/e/");
        assertThat(RunPaths.etl("e")).isEqualTo("runs/e/etl/");
        assertThat(RunPaths.etlSplit("e", "test")).isEqualTo("runs/e/etl/test/");
        assertThat(RunPaths.etlManifest("e")).isEqualTo("runs/e/etl/manifest.json");
        assertThat(RunPaths.config("e")).isEqualTo("runs/e/config/");
        assertThat(RunPaths.training("e")).isEqualTo("runs/e/training/");
        assertThat(RunPaths.evaluationReport("e")).isEqualTo("runs/e/evaluation/evaluation.json");
        assertThat(RunPaths.systemTest("e")).isEqualTo("runs/e/system-test/");
        assertThat(RunPaths.s3Uri("bkt", RunPaths.etl("e"))).isEqualTo("s3://bkt/runs/e/etl/");
    }
}
