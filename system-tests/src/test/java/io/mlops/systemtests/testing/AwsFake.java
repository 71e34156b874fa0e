package io.mlops.systemtests.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * WireMock on 127.0.0.1 standing in for every AWS service this module calls; the real SDK clients
 * talk to it over HTTP. SageMaker runtime ({@code POST /endpoints/NAME/invocations}) is answered by
 * a {@link FakeModel}, with container errors wrapped as SageMaker does (HTTP 424 {@code ModelError}
 * carrying {@code OriginalStatusCode}); S3 is path-style; JSON-protocol services are matched by
 * {@code X-Amz-Target}; CloudFormation speaks the Query protocol (form POST, XML answers).
 *
 * <p>{@code @RegisterExtension static final AwsFake aws = new AwsFake();} - every test starts with no
 * stubs and a fresh {@link #model()}.
 */
public final class AwsFake implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    public static final String ACCESS_KEY = "AKIDSYSTEMTESTS";
    private static final String TRANSFORMER = "fake-model";

    private final ModelTransformer transformer = new ModelTransformer();
    private WireMockServer server;
    private boolean credentialsInSystemProperties;

    /**
     * Also puts the dummy credentials where the default credentials chain of the command-line tools
     * finds them first ({@code aws.accessKeyId}, {@code aws.secretAccessKey}) for the test class.
     */
    public AwsFake withCredentialsInSystemProperties() {
        credentialsInSystemProperties = true;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(transformer));
        server.start();
        if (credentialsInSystemProperties) {
            System.setProperty("aws.accessKeyId", ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", "secret");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (credentialsInSystemProperties) {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        server.stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.resetAll();
        transformer.model = new FakeModel();
    }

    public WireMockServer server() {
        return server;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The model behind every stubbed endpoint (fresh per test). */
    public FakeModel model() {
        return transformer.model;
    }

    /** SDK clients as the tools build them, pointed here, with dummy static credentials. */
    public AwsClients clients() {
        return new AwsClients(Region.US_EAST_1, url(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, "secret")));
    }

    // --- SageMaker runtime -------------------------------------------------------------------

    /** Endpoint {@code name} exists and is served by {@link #model()}. */
    public void endpoint(String name) {
        server.stubFor(post(urlEqualTo("/endpoints/" + name + "/invocations")).willReturn(aResponse()
                .withTransformers(TRANSFORMER)));
    }

    /** Any InvokeEndpoint is answered with a SageMaker error. */
    public void runtimeError(int status, String type, String message) {
        server.stubFor(post(urlMatching("/endpoints/.*/invocations")).willReturn(jsonError(status, type, message)));
    }

    public List<LoggedRequest> invocations() {
        return server.findAll(anyRequestedFor(urlMatching("/endpoints/.*/invocations")));
    }

    // --- S3 ----------------------------------------------------------------------------------

    /** {@code objects} (key → content) exist in {@code bucket}; ListObjectsV2 under any prefix lists them all. */
    public void s3Objects(String bucket, Map<String, String> objects) {
        StringBuilder list = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + bucket + "</Name>"
                + "<KeyCount>" + objects.size() + "</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>");
        objects.forEach((key, content) -> {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            list.append("<Contents><Key>").append(key).append("</Key><LastModified>2026-11-22T10:00:00.000Z</LastModified>"
                    + "<ETag>\"0123\"</ETag><Size>").append(bytes.length).append("</Size><StorageClass>STANDARD"
                    + "</StorageClass></Contents>");
            server.stubFor(get(urlPathEqualTo("/" + bucket + "/" + key)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "text/csv").withHeader("ETag", "\"0123\"").withBody(bytes)));
        });
        list.append("</ListBucketResult>");
        server.stubFor(get(urlPathEqualTo("/" + bucket)).withQueryParam("list-type", equalTo("2"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/xml")
                        .withBody(list.toString())));
    }

    /** An S3 error for every request to {@code bucket} (e.g. 403 AccessDenied). */
    public void s3Error(String bucket, int status, String code) {
        server.stubFor(any(urlMatching("/" + bucket + "([/?].*)?")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/xml")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + code
                        + "</Message><RequestId>r1</RequestId></Error>")));
    }

    /** HeadBucket: {@code HEAD /bucket} answers {@code status} (no body, as S3 does). */
    public void s3HeadBucket(String bucket, int status) {
        server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.head(urlPathEqualTo("/" + bucket))
                .willReturn(aResponse().withStatus(status)));
    }

    /** Accepts every PutObject into {@code bucket}. */
    public void s3AcceptPuts(String bucket) {
        server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.put(urlMatching("/" + bucket + "/.*"))
                .willReturn(aResponse().withStatus(200).withHeader("ETag", "\"0123\"")));
    }

    /** The PutObject requests for {@code bucket/key}. */
    public List<LoggedRequest> puts(String bucket, String key) {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor(
                urlPathEqualTo("/" + bucket + "/" + key)));
    }

    /** The object body of a PutObject request, decoding {@code aws-chunked} uploads. */
    public static String putBody(LoggedRequest put) {
        byte[] raw = put.getBody();
        String encoding = put.getHeader("Content-Encoding");
        boolean chunked = (encoding != null && encoding.contains("aws-chunked"))
                || (put.getHeader("x-amz-content-sha256") != null && put.getHeader("x-amz-content-sha256").startsWith("STREAMING"));
        return new String(chunked ? dechunk(raw) : raw, StandardCharsets.UTF_8);
    }

    private static byte[] dechunk(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int position = 0;
        while (position < raw.length) {
            int lineEnd = indexOf(raw, position);
            String sizeLine = new String(raw, position, lineEnd - position, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(raw, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i + 1 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("no CRLF after " + from);
    }

    // --- JSON-protocol services ----------------------------------------------------------------

    /** {@code target} (e.g. {@code AWSGlue.GetJob}) answers 200 with {@code json}. */
    public void json(String target, String json) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody(json)));
    }

    /** {@code target} answers 200 with {@code json} when the request body contains {@code bodyPart}. */
    public void json(String target, String bodyPart, String json) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .withRequestBody(containing(bodyPart))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody(json)));
    }

    /** {@code target} answers with an AWS JSON error when the request body contains {@code bodyPart}. */
    public void jsonError(String target, String bodyPart, int status, String type, String message) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .withRequestBody(containing(bodyPart)).willReturn(jsonError(status, type, message)));
    }

    /** {@code target} answers with an AWS JSON error. */
    public void jsonError(String target, int status, String type, String message) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .willReturn(jsonError(status, type, message)));
    }

    private static ResponseDefinitionBuilder jsonError(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-ErrorType", type).withHeader("x-amzn-RequestId", "req-" + type)
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}");
    }

    // --- CloudFormation (Query protocol) -------------------------------------------------------

    /** DescribeStacks of {@code stack} answers with {@code status} and {@code outputs}. */
    public void stack(String stack, String status, Map<String, String> outputs) {
        StringBuilder xml = new StringBuilder("<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/"
                + "2010-05-15/\"><DescribeStacksResult><Stacks><member><StackName>" + stack + "</StackName>"
                + "<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/" + stack + "/1</StackId>"
                + "<CreationTime>2026-11-22T10:00:00Z</CreationTime><StackStatus>" + status + "</StackStatus><Outputs>");
        outputs.forEach((key, value) -> xml.append("<member><OutputKey>").append(key).append("</OutputKey><OutputValue>")
                .append(value).append("</OutputValue></member>"));
        xml.append("</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r1</RequestId>"
                + "</ResponseMetadata></DescribeStacksResponse>");
        server.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(xml.toString())));
    }

    /** DescribeStacks answers with a Query-protocol error. */
    public void stackError(int status, String code, String message) {
        server.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/xml")
                        .withBody("<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>"
                                + "<Type>Sender</Type><Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                                + "<RequestId>r1</RequestId></ErrorResponse>")));
    }

    /** Every request WireMock received with this method. */
    public List<LoggedRequest> requests(RequestMethod method) {
        return server.findAll(anyRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())).stream()
                .filter(r -> r.getMethod().equals(method)).toList();
    }

    /** Answers InvokeEndpoint with the fake model, wrapping container errors as SageMaker does. */
    private static final class ModelTransformer implements ResponseDefinitionTransformerV2 {
        volatile FakeModel model = new FakeModel();

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            var request = event.getRequest();
            ScoringResponse answer = model.invoke(request.getHeader("Content-Type"),
                    request.containsHeader("Accept") ? request.getHeader("Accept") : null, request.getBody());
            if (answer.isSuccess()) {
                return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", answer.contentType())
                        .withHeader("x-Amzn-Invoked-Production-Variant", "AllTraffic").withBody(answer.body()).build();
            }
            String message = answer.bodyText().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
            return new ResponseDefinitionBuilder().withStatus(424).withHeader("Content-Type", "application/json")
                    .withHeader("x-amzn-ErrorType", "ModelError")
                    .withBody("{\"ErrorCode\":\"CLIENT_ERROR_FROM_MODEL\",\"LogStreamArn\":\"arn:aws:logs:us-east-1:"
                            + "123456789012:log-group:/aws/sagemaker/Endpoints/mlops-dev\",\"Message\":\"Received client "
                            + "error (" + answer.status() + ") from primary with message \\\"" + message + "\\\"\","
                            + "\"OriginalMessage\":\"" + message + "\",\"OriginalStatusCode\":" + answer.status() + "}")
                    .build();
        }

        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }
}
