package io.mlops.infra.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.infra.emulator.PipelineEmulator.Execution;
import io.mlops.infra.validation.DeployedValues;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator's own failure cases, without moto or the bundle (PipelineEmulatorIT runs the real thing). */
class EmulatorPartsTest {
    @TempDir
    Path dir;

    @Test
    void failsWithTheFixWhenMotoServerIsNotOnThePath() {
        assertThatThrownBy(() -> MotoServer.start(dir.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("moto_server is not on PATH (" + dir + ")")
                .hasMessageContaining("run bin/setup");
    }

    @Test
    void failsAnActionThatReadsAVariableNoEarlierActionExportsAndStopsTheExecution() throws IOException {
        Execution e = emulator(pipeline("""
                {"Name": "Approve", "Actions": [{"Name": "Approve", "ActionTypeId": {"Category": "Approval", "Provider": "Manual"},
                  "Configuration": {"CustomData": "value #{Evaluate.GateValu}"}}]},
                {"Name": "Later", "Actions": [{"Name": "Approve", "ActionTypeId": {"Category": "Approval", "Provider": "Manual"},
                  "Configuration": {"CustomData": "never"}}]}
                """)).run("exec-1", (a, n, calls) -> { });
        assertThat(e.result("Approve", "Approve").outcome()).isEqualTo("Failed");
        assertThat(e.result("Approve", "Approve").message()).contains("#{Evaluate.GateValu}");
        assertThat(e.unresolved()).containsExactly("Approve.Approve reads #{Evaluate.GateValu}");
        assertThat(e.ran("Later", "Approve")).isFalse();
    }

    @Test
    void failsACloudFormationActionThatPassesAParameterTheTemplateDoesNotDeclare() throws IOException {
        Files.writeString(dir.resolve("endpoint.template.json"), """
                {"Parameters": {"ModelPackageArn": {"Type": "String"}}, "Resources": {}}
                """);
        Execution e = emulator(pipeline("""
                {"Name": "Deploy", "Actions": [{"Name": "Deploy", "ActionTypeId": {"Category": "Deploy", "Provider": "CloudFormation"},
                  "Configuration": {"TemplatePath": "EndpointTemplates::endpoint.template.json",
                    "ParameterOverrides": "{\\"ModelPackageArn\\":\\"#{codepipeline.PipelineExecutionId}\\",\\"ModelPackagArn\\":\\"x\\"}"}}]}
                """)).run("exec-2", (a, n, calls) -> { });
        assertThat(e.result("Deploy", "Deploy").outcome()).isEqualTo("Failed");
        assertThat(e.result("Deploy", "Deploy").message()).contains("passes ModelPackagArn, which the template does not declare");
    }

    @Test
    void theStandInFailsOutputVariablesWithAContinuationTokenAndJobsItDidNotIssue() throws Exception {
        try (JobResultStandIn standIn = JobResultStandIn.start()) {
            String job = UUID.randomUUID().toString();
            standIn.issue(job);
            assertThat(post(standIn, "PutJobSuccessResult", "{\"jobId\":\"" + job + "\",\"continuationToken\":\"t\","
                    + "\"outputVariables\":{\"A\":\"1\"}}").statusCode()).isEqualTo(400);
            assertThat(post(standIn, "PutJobSuccessResult", "{\"jobId\":\"" + UUID.randomUUID() + "\"}").body())
                    .contains("JobNotFoundException");
            assertThat(post(standIn, "PutJobFailureResult", "{\"jobId\":\"" + job + "\",\"failureDetails\":"
                    + "{\"type\":\"Broken\",\"message\":\"m\"}}").statusCode()).isEqualTo(400);
            assertThat(post(standIn, "PutJobSuccessResult", "{\"jobId\":\"" + job + "\",\"outputVariables\":{\"A\":\"1\"}}")
                    .statusCode()).isEqualTo(200);
            assertThat(standIn.callsFor(job)).extracting(JobResultStandIn.Call::rejection)
                    .satisfiesExactly(
                            r -> assertThat(r).contains("outputVariables can be included only when there is no continuation token"),
                            r -> assertThat(r).contains("failureDetails.type 'Broken'"),
                            r -> assertThat(r).isNull());
        }
    }

    private static HttpResponse<String> post(JobResultStandIn standIn, String operation, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(standIn.endpoint() + "/"))
                .header("X-Amz-Target", JobResultStandIn.TARGET_PREFIX + operation)
                .header("Content-Type", "application/x-amz-json-1.1")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path pipeline(String stages) throws IOException {
        return Files.writeString(dir.resolve("pipeline.template.json"), """
                {"Resources": {
                  "StorageArtifactsAB12": {"Type": "AWS::S3::Bucket"},
                  "Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Stages": [%s]}}}}
                """.formatted(stages));
    }

    private PipelineEmulator emulator(Path template) {
        return new PipelineEmulator(PipelineTemplate.read(template), DeployedValues.of(template), null, null, dir,
                Map.of(), Map.of());
    }
}
