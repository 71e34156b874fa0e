package io.mlops.lambdas.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mlops.lambdas.core.ClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * A local stand-in for the AWS JSON and S3 endpoints: WireMock on 127.0.0.1 and a free port. The
 * handlers' real SDK clients talk to it over HTTP, so requests are the bytes the SDK really sends.
 * JSON-protocol operations are stubbed by {@code X-Amz-Target} (e.g. {@code SageMaker.CreateTrainingJob});
 * S3 by path ({@code /bucket/key}, path-style).
 *
 * <p>Use with {@code @RegisterExtension static final AwsStub aws = new AwsStub();}. Every test starts
 * with no stubs but CodePipeline's PutJobSuccessResult/PutJobFailureResult, which answer {@code {}}.
 */
public final class AwsStub implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    public static final String PUT_JOB_SUCCESS = "CodePipeline_20150709.PutJobSuccessResult";
    public static final String PUT_JOB_FAILURE = "CodePipeline_20150709.PutJobFailureResult";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WireMockServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.stop();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.resetAll();
        ok(PUT_JOB_SUCCESS, "{}");
        ok(PUT_JOB_FAILURE, "{}");
    }

    public WireMockServer server() {
        return server;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** Clients built exactly as in Lambda, pointed at this stub, with dummy credentials. */
    public ClientFactory clients() {
        return new ClientFactory(Region.US_EAST_1, endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
    }

    /** {@code target} answers 200 with {@code json}. */
    public void ok(String target, String json) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(json)));
    }

    /** {@code target} answers with an AWS JSON error. */
    public void error(String target, int status, String type, String message) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .willReturn(awsError(status, type, message)));
    }

    /** Every call to {@code target} has its connection reset (the SDK sees an I/O error, not an answer). */
    public void connectionReset(String target) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .willReturn(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
    }

    /** Successive calls to {@code target} get successive bodies (the last one repeats). */
    public void sequence(String target, String... jsonBodies) {
        String scenario = "seq-" + target;
        for (int i = 0; i < jsonBodies.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "call-" + i;
            var stub = post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                    .inScenario(scenario).whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                            .withBody(jsonBodies[i]));
            if (i < jsonBodies.length - 1) {
                stub = stub.willSetStateTo("call-" + (i + 1));
            }
            server.stubFor(stub);
        }
    }

    /** First call to {@code target} is throttled (HTTP 400 ThrottlingException), later calls get {@code json}. */
    public void throttleOnceThen(String target, String json) {
        String scenario = "throttle-" + target;
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(awsError(400, "ThrottlingException", "Rate exceeded"))
                .willSetStateTo("throttled"));
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .inScenario(scenario).whenScenarioStateIs("throttled")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(json)));
    }

    /** An S3 object (path-style {@code GET /bucket/key}). */
    public void s3Object(String bucket, String key, byte[] body) {
        server.stubFor(get(urlPathEqualTo("/" + bucket + "/" + key))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream")
                        .withHeader("ETag", "\"0123456789abcdef\"").withBody(body)));
    }

    /** A missing S3 object. */
    public void s3Missing(String bucket, String key) {
        server.stubFor(get(urlPathEqualTo("/" + bucket + "/" + key))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/xml")
                        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                                + "<Message>The specified key does not exist.</Message><Key>" + key + "</Key></Error>")));
    }

    /** Accepts any PutObject to {@code /bucket/key}. */
    public void s3AcceptPut(String bucket, String key) {
        server.stubFor(put(urlPathEqualTo("/" + bucket + "/" + key))
                .willReturn(aResponse().withStatus(200).withHeader("ETag", "\"0123456789abcdef\"")));
    }

    /** The JSON bodies the SDK sent to {@code target}, in order. */
    public List<JsonNode> requests(String target) {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)))
                .stream().map(AwsStub::json).toList();
    }

    /** The single request sent to {@code target}; fails if there were none or several. */
    public JsonNode onlyRequest(String target) {
        List<JsonNode> all = requests(target);
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one " + target + " request, got " + all.size() + ": " + all);
        }
        return all.get(0);
    }

    public int count(String target) {
        return requests(target).size();
    }

    /** The failureDetails of the job's one PutJobFailureResult; fails if it was also reported successful. */
    public JsonNode jobFailure() {
        if (count(PUT_JOB_SUCCESS) != 0) {
            throw new AssertionError("expected no PutJobSuccessResult call, got " + requests(PUT_JOB_SUCCESS));
        }
        return onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
    }

    /**
     * Asserts the job's one report is a PutJobFailureResult of this type ({@code ConfigurationError},
     * {@code JobFailed}, ...) whose message contains every fragment; returns its failureDetails.
     */
    public JsonNode assertJobFailed(String type, CharSequence... fragments) {
        return assertJobFailedFor("job failure", type, fragments);
    }

    /** {@link #assertJobFailed}, naming the case (e.g. the user parameters tried) in a failed assertion. */
    public JsonNode assertJobFailedFor(String caseName, String type, CharSequence... fragments) {
        JsonNode failure = jobFailure();
        assertThat(failure.path("type").asText()).as(caseName).isEqualTo(type);
        assertThat(failure.path("message").asText()).as(caseName).contains(fragments);
        return failure;
    }

    /** The job's one PutJobSuccessResult; fails if it was also reported failed. */
    public JsonNode jobSuccess() {
        if (count(PUT_JOB_FAILURE) != 0) {
            throw new AssertionError("expected no PutJobFailureResult call, got " + requests(PUT_JOB_FAILURE));
        }
        return onlyRequest(PUT_JOB_SUCCESS);
    }

    /** Every logged request, for assertions on S3 traffic. */
    public List<LoggedRequest> allRequests() {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.anyUrl()));
    }

    private static JsonNode json(LoggedRequest request) {
        try {
            return MAPPER.readTree(request.getBodyAsString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder awsError(int status, String type,
            String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-RequestId", "req-" + type)
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}");
    }
}
