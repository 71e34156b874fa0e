package io.mlops.systemtests.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mlops.systemtests.testing.AwsFake;
import io.mlops.systemtests.testing.FakeModel;
import io.mlops.systemtests.testing.LocalHttpServer;
import io.mlops.systemtests.testing.SyntheticSplit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The load-test command in-process, as bin/load-test runs it. */
class LoadTestCommandTest {
    @RegisterExtension
    static final AwsFake aws = new AwsFake().withCredentialsInSystemProperties();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;
    private Path data;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void data() throws IOException {
        data = Files.writeString(dir.resolve("test.csv"), new SyntheticSplit(50, 3).csv());
    }

    @Test
    void loadsAUrlClosedLoopAndWritesBothReports() throws IOException {
        FakeModel model = new FakeModel();
        try (LocalHttpServer server = LocalHttpServer.of(model)) {
            int status = run("--url", server.url().toString(), "--concurrency", "3", "--duration", "5s",
                    "--max-requests", "60", "--data", data.toString(), "--rows-per-request", "2",
                    "--report", dir.resolve("report").toString());

            assertThat(status).as(err()).isZero();
        }
        assertThat(model.requests()).isEqualTo(61);
        String printed = out();
        assertThat(printed).contains("load-test: url http://127.0.0.1:").contains("closed loop with 3 clients")
                .contains("50 records in " + data + " (label column dropped)");
        assertThat(printed).contains("requests: 60 sent in ").contains(": 60 ok, 0 errors, 0 dropped, 0 unfinished");
        assertThat(printed).contains("latency ms (2xx): p50 ");
        assertThat(printed).contains("autoscaling: SageMakerVariantInvocationsPerInstance = max sustained RPS per instance"
                + " × 0.5 × 60 = (");
        assertThat(printed).contains("[").contains("sent 60  ok 60  errors 0");
        JsonNode json = MAPPER.readTree(dir.resolve("report/load-report.json").toFile());
        assertThat(json.get("counts").get("sent").asLong()).isEqualTo(60);
        assertThat(json.get("rowsPerRequest").asInt()).isEqualTo(2);
        assertThat(json.get("mode").asText()).isEqualTo("CLOSED_LOOP");
        assertThat(json.get("latencyMillis").get("p999").asDouble()).isPositive();
        assertThat(Files.readString(dir.resolve("report/load-report.html"))).contains("<svg id=\"latency-over-time\"");
    }

    @Test
    void loadsASageMakerEndpointWithSigV4OpenLoop() throws IOException {
        aws.endpoint("mlops-prd");
        int status = run("--endpoint-name", "mlops-prd", "--region", "us-east-1", "--endpoint-url", aws.url().toString(),
                "--rate", "40", "--duration", "1s", "--data", data.toString(), "--content-type", "application/json",
                "--accept", "application/json", "--instances", "2", "--quiet", "--report", dir.resolve("r").toString());

        assertThat(status).as(err()).isZero();
        JsonNode json = MAPPER.readTree(dir.resolve("r/load-report.json").toFile());
        long sent = json.get("counts").get("sent").asLong();
        // due times 0, 25, ..., 975 ms: 40 requests, all sent unless the machine stalls a sender
        assertThat(sent + json.get("counts").get("dropped").asLong()).isEqualTo(40);
        assertThat(sent).isGreaterThan(30);
        assertThat(json.get("counts").get("ok").asLong()).isEqualTo(sent);
        List<LoggedRequest> calls = aws.invocations();
        assertThat(calls).hasSize((int) sent + 1);
        assertThat(calls).allSatisfy(call -> {
            assertThat(call.getUrl()).isEqualTo("/endpoints/mlops-prd/invocations");
            assertThat(call.getHeader("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=" + AwsFake.ACCESS_KEY)
                    .contains("/us-east-1/sagemaker/aws4_request");
            assertThat(call.getHeader("Content-Type")).isEqualTo("application/json");
            assertThat(call.getHeader("amz-sdk-request")).isEqualTo("attempt=1; max=1");
        });
        assertThat(out()).contains("sagemaker endpoint mlops-prd (us-east-1)").contains("2 instances)")
                .doesNotContain("sent 40  ok");
        assertThat(json.get("autoscaling").get("instances").asInt()).isEqualTo(2);
    }

    @Test
    void failsWithStatus1WhenTheEndpointDoesNotExist() {
        aws.runtimeError(400, "ValidationError", "Endpoint mlops-prd of account 123456789012 not found.");
        int status = run("--endpoint-name", "mlops-prd", "--region", "us-east-1", "--endpoint-url", aws.url().toString(),
                "--rate", "10", "--duration", "1s", "--data", data.toString(), "--report", dir.resolve("r").toString());

        assertThat(status).isEqualTo(1);
        assertThat(err()).contains("SageMaker endpoint 'mlops-prd' was not found (us-east-1)");
        assertThat(dir.resolve("r")).doesNotExist();
    }

    @Test
    void failsWithStatus1WhenThePreflightIsRejected() {
        FakeModel model = new FakeModel();
        try (LocalHttpServer server = LocalHttpServer.of(model)) {
            Path wrong = Files.writeString(dir.resolve("wrong.csv"), "y,a,b\n1,2,3\n");
            int status = run("--url", server.url().toString(), "--concurrency", "1", "--duration", "1s",
                    "--data", wrong.toString(), "--report", dir.resolve("r").toString());
            assertThat(status).isEqualTo(1);
            assertThat(err()).contains("preflight request").contains("answered with HTTP 400");
            assertThat(model.requests()).isEqualTo(1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void failsWithUsageErrorsThatSayWhatToDo() {
        assertThat(run("--url", "http://127.0.0.1:1", "--rate", "5", "--concurrency", "2", "--data", data.toString()))
                .isEqualTo(2);
        assertThat(err()).contains("give exactly one of --rate RPS (open loop) or --concurrency N (closed loop)");
        err.reset();
        assertThat(run("--url", "http://127.0.0.1:1", "--concurency", "2")).isEqualTo(2);
        assertThat(err()).contains("unknown option --concurency (did you mean --concurrency?)");
        err.reset();
        assertThat(run("--url", "http://127.0.0.1:1", "--concurrency", "2")).isEqualTo(2);
        assertThat(err()).contains("--data FILE is required");
        err.reset();
        assertThat(run("--concurrency", "2", "--data", data.toString())).isEqualTo(2);
        assertThat(err()).contains("give exactly one target: --endpoint-name NAME (SageMaker) or --url URL");
        err.reset();
        assertThat(run("--url", "http://127.0.0.1:1", "--rate", "5", "--duration", "soon", "--data", data.toString()))
                .isEqualTo(2);
        assertThat(err()).contains("--duration must be a duration like 30s, 500ms, 2m or 1h; received 'soon'");
        err.reset();
        assertThat(run("--url", "ftp://x", "--rate", "5", "--data", data.toString())).isEqualTo(2);
        assertThat(err()).contains("URL 'ftp://x' is not an http(s) URL");
        err.reset();
        assertThat(run("--url", "http://127.0.0.1:1", "--rate", "0", "--data", data.toString())).isEqualTo(2);
        assertThat(err()).contains("--rate must be between 0 and 100000").contains("received 0.0");
    }

    @Test
    void printsHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("Usage: load-test [options]").contains("--endpoint-name NAME").contains("--rate RPS")
                .contains("--max-requests N").contains("--report DIR");
    }

    private int run(String... args) {
        return LoadTestCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
