package io.mlops.systemtests.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.scoring.EndpointAccessDeniedException;
import io.mlops.systemtests.scoring.EndpointNotFoundException;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.testing.AwsFake;
import io.mlops.systemtests.testing.LambdaContexts;
import io.mlops.systemtests.testing.SyntheticSplit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The Lambda through its real stream entry point, with real SDK clients against WireMock (SageMaker runtime + S3). */
class EndpointTestHandlerTest {
    @RegisterExtension
    static final AwsFake aws = new AwsFake();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SyntheticSplit SPLIT = new SyntheticSplit(250, 5);
    private static final String PREFIX = "runs/exec-1/etl/test/";
    private static final String EVENT = """
            {"endpointName": "mlops-dev", "testDataUri": "s3://artifacts/runs/exec-1/etl/test/",
             "reportUri": "s3://artifacts/runs/exec-1/system-test/", "executionId": "exec-1",
             "minRocAuc": 0.6, "maxP99Millis": 5000, "batchSize": 50, "maxRows": 5000,
             "somethingTheStateMachineAdds": {"ignored": true}}""";

    private final EndpointTestHandler handler = handler(aws.clients());
    private final List<String> log = new ArrayList<>();

    @Test
    void passesAndWritesTheReportAndReturnsTheContractOutput() throws IOException {
        testSplitInTwoParts();
        aws.endpoint("mlops-dev");
        aws.s3AcceptPuts("artifacts");

        JsonNode output = MAPPER.readTree(invoke(EVENT));

        assertThat(output.get("verdict").asText()).isEqualTo("PASS");
        assertThat(output.get("failures")).isEmpty();
        assertThat(output.get("reportUri").asText()).isEqualTo("s3://artifacts/runs/exec-1/system-test/report.json");
        assertThat(output.get("rows").asLong()).isEqualTo(250);
        assertThat(output.get("rocAuc").asDouble()).isCloseTo(SPLIT.expectedAuc(), within(1e-6));
        assertThat(output.get("p50Millis").asDouble()).isPositive();
        assertThat(output.get("p99Millis").asDouble()).isGreaterThanOrEqualTo(output.get("p50Millis").asDouble());
        assertThat(output.get("malformedRequests").get("sent").asInt()).isEqualTo(5);
        assertThat(output.get("malformedRequests").get("rejectedWith4xx").asInt()).isEqualTo(5);
        assertThat(fieldNames(output)).containsExactlyInAnyOrder("verdict", "failures", "reportUri", "rows", "rocAuc",
                "p50Millis", "p99Millis", "malformedRequests");

        List<LoggedRequest> puts = aws.puts("artifacts", "runs/exec-1/system-test/report.json");
        assertThat(puts).hasSize(1);
        EndpointTestReport report = EndpointTestReport.fromJson(AwsFake.putBody(puts.get(0)));
        assertThat(report.verdict()).isEqualTo("PASS");
        assertThat(report.executionId()).isEqualTo("exec-1");
        assertThat(report.endpoint()).isEqualTo("sagemaker endpoint mlops-dev (us-east-1)");
        assertThat(report.testData()).isEqualTo("s3://artifacts/" + PREFIX);
        assertThat(report.counts().batches()).isEqualTo(5);
        assertThat(log).anySatisfy(line -> assertThat(line).contains("\"message\":\"endpoint test finished\"")
                .contains("\"verdict\":\"PASS\"").contains("\"requestId\":\"req-system-tests\""));
    }

    @Test
    void invokesTheEndpointWithSigV4AndTheContentTypesOfTheContract() throws IOException {
        testSplitInTwoParts();
        aws.endpoint("mlops-dev");
        aws.s3AcceptPuts("artifacts");

        invoke(EVENT);

        List<LoggedRequest> calls = aws.invocations();
        // 1 warm-up (the first batch) + 5 CSV batches (250 records in files of 130 and 120, batches of 50 run
        // across files) + 1 JSON + 5 malformed
        assertThat(calls).hasSize(12);
        LoggedRequest first = calls.get(0);
        assertThat(first.getUrl()).isEqualTo("/endpoints/mlops-dev/invocations");
        assertThat(first.getHeader("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=" + AwsFake.ACCESS_KEY + "/")
                .contains("/us-east-1/sagemaker/aws4_request");
        assertThat(first.getHeader("X-Amz-Date")).isNotBlank();
        assertThat(first.getHeader("Content-Type")).isEqualTo("text/csv");
        assertThat(first.getHeader("Accept")).isEqualTo("text/csv");
        String body = first.getBodyAsString();
        assertThat(body).startsWith("x,colour,n\n").doesNotContain("y,");
        assertThat(body.lines().count()).isEqualTo(51);
        assertThat(calls.get(6).getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(calls.get(6).getHeader("Accept")).isEqualTo("application/json");
        assertThat(calls.get(6).getBodyAsString()).startsWith("[{\"x\":");
    }

    @Test
    void usesTheContractDefaultsForOmittedFields() throws IOException {
        testSplitInTwoParts();
        aws.endpoint("mlops-dev");
        aws.s3AcceptPuts("artifacts");

        JsonNode output = MAPPER.readTree(invoke("""
                {"endpointName": "mlops-dev", "testDataUri": "s3://artifacts/runs/exec-1/etl/test",
                 "reportUri": "s3://artifacts/runs/exec-1/system-test/", "executionId": "exec-1"}"""));

        assertThat(output.get("rows").asLong()).isEqualTo(250);
        EndpointTestReport report = EndpointTestReport.fromJson(AwsFake.putBody(
                aws.puts("artifacts", "runs/exec-1/system-test/report.json").get(0)));
        assertThat(report.settings()).isEqualTo(EndpointTestSettings.defaults());
        assertThat(report.counts().batches()).isEqualTo(3); // batchSize 100
    }

    @Test
    void failsTheVerdictWhenTheModelAnswersMalformedRequestsWith5xx() throws IOException {
        testSplitInTwoParts();
        aws.endpoint("mlops-dev");
        aws.s3AcceptPuts("artifacts");
        aws.model().crashOnBadInput = true;

        JsonNode output = MAPPER.readTree(invoke(EVENT));

        assertThat(output.get("verdict").asText()).isEqualTo("FAIL");
        assertThat(output.get("malformedRequests").get("rejectedWith4xx").asInt()).isEqualTo(1);
        assertThat(output.get("failures").get(0).asText())
                .isEqualTo("malformed request 'wrong-column-count' (text/csv with the header of 3 columns but the record "
                        + "lacks the last column 'n') got HTTP 500, expected a 4xx: row 1: 2 values, expected 3");
        assertThat(aws.puts("artifacts", "runs/exec-1/system-test/report.json")).hasSize(1);
    }

    @Test
    void failsTheVerdictWhenRocAucIsBelowTheThreshold() throws IOException {
        testSplitInTwoParts();
        aws.endpoint("mlops-dev");
        aws.s3AcceptPuts("artifacts");
        aws.model().inverted = true;

        JsonNode output = MAPPER.readTree(invoke(EVENT));

        assertThat(output.get("verdict").asText()).isEqualTo("FAIL");
        assertThat(output.get("failures")).hasSize(1);
        assertThat(output.get("failures").get(0).asText()).contains("is below the minimum 0.6000");
    }

    @Test
    void throwsWhenTheEndpointDoesNotExistAndWritesNoReport() {
        testSplitInTwoParts();
        aws.runtimeError(400, "ValidationError", "Endpoint mlops-dev of account 123456789012 not found.");
        aws.s3AcceptPuts("artifacts");

        assertThatThrownBy(() -> invoke(EVENT))
                .isInstanceOf(EndpointNotFoundException.class)
                .hasMessageContaining("SageMaker endpoint 'mlops-dev' was not found (us-east-1)")
                .hasMessageContaining("DeployDev");
        assertThat(log).anySatisfy(line -> assertThat(line).contains("\"level\":\"ERROR\"")
                .contains("endpoint test could not run"));
        assertThat(aws.puts("artifacts", "runs/exec-1/system-test/report.json")).isEmpty();
    }

    @Test
    void throwsWhenInvokeEndpointIsDenied() {
        testSplitInTwoParts();
        aws.runtimeError(403, "AccessDeniedException", "User is not authorized to perform: sagemaker:InvokeEndpoint");

        assertThatThrownBy(() -> invoke(EVENT))
                .isInstanceOf(EndpointAccessDeniedException.class)
                .hasMessageContaining("HTTP 403 AccessDeniedException")
                .hasMessageContaining("needs sagemaker:InvokeEndpoint");
    }

    @Test
    void throwsATransientErrorWhenSageMakerStaysThrottledAfterRetries() {
        testSplitInTwoParts();
        aws.runtimeError(400, "ThrottlingException", "Rate exceeded");

        assertThatThrownBy(() -> invoke(EVENT))
                .isExactlyInstanceOf(EndpointUnavailableException.class)
                .hasMessageContaining("failed with HTTP 400 ThrottlingException: Rate exceeded");
        // 2 warm-up requests (this test's WarmUp), each with the SDK's default retry policy: 4 attempts
        // (amz-sdk-request: attempt=N; max=4)
        assertThat(aws.invocations()).hasSize(8);
    }

    @Test
    void throwsWhenTheTestDataCannotBeRead() {
        aws.s3Error("artifacts", 403, "AccessDenied");
        aws.endpoint("mlops-dev");

        assertThatThrownBy(() -> invoke(EVENT)).isInstanceOf(S3Exception.class).hasMessageContaining("AccessDenied");
        assertThat(aws.invocations()).isEmpty();
    }

    @Test
    void throwsWhenThePrefixHoldsNoCsv() {
        aws.s3Objects("artifacts", Map.of(PREFIX + "_SUCCESS", "x"));
        aws.endpoint("mlops-dev");

        assertThatThrownBy(() -> invoke(EVENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no non-empty .csv objects under s3://artifacts/" + PREFIX);
    }

    @Test
    void failsFastOnAMissingRequiredFieldOrABadUri() {
        assertThatThrownBy(() -> invoke("{\"testDataUri\": \"s3://a/b/\", \"reportUri\": \"s3://a/c/\", \"executionId\": \"e\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field 'endpointName' is missing or empty");
        assertThatThrownBy(() -> invoke(EVENT.replace("s3://artifacts/runs/exec-1/etl/test/", "/tmp/test")))
                .hasMessageContaining("testDataUri must be an S3 URI").hasMessageContaining("received '/tmp/test'");
        assertThatThrownBy(() -> invoke(EVENT.replace("\"batchSize\": 50", "\"batchSize\": 0")))
                .hasMessageContaining("batchSize must be between 1 and 10000").hasMessageContaining("received 0");
        assertThat(aws.invocations()).isEmpty();
    }

    @Test
    void reportUriEndingInJsonIsUsedAsTheObjectKey() {
        assertThat(EndpointTestHandler.reportObject(io.mlops.systemtests.data.S3Location.parse(
                "s3://bkt/runs/e/system-test/custom.json", "reportUri")).toString()).isEqualTo("s3://bkt/runs/e/system-test/custom.json");
        assertThat(EndpointTestHandler.reportObject(io.mlops.systemtests.data.S3Location.parse(
                "s3://bkt/runs/e/system-test", "reportUri")).toString()).isEqualTo("s3://bkt/runs/e/system-test/report.json");
    }

    private static void testSplitInTwoParts() {
        Map<String, String> objects = new LinkedHashMap<>();
        objects.put(PREFIX + "part-00001.csv", SPLIT.csv(130, 250));
        objects.put(PREFIX + "part-00000.csv", SPLIT.csv(0, 130));
        objects.put(PREFIX + "_SUCCESS", "");
        aws.s3Objects("artifacts", objects);
    }

    private String invoke(String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                LambdaContexts.capturing(log));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static EndpointTestHandler handler(AwsClients clients) {
        return new EndpointTestHandler(clients.s3(), clients.sageMakerRuntime(), clients.region().id(),
                new WarmUp(2, java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), d -> { }));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
