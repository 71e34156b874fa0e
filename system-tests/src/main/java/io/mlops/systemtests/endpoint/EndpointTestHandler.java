package io.mlops.systemtests.endpoint;

import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.core.JsonStreamHandler;
import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.data.S3Location;
import io.mlops.systemtests.data.S3TestData;
import io.mlops.systemtests.scoring.SageMakerScoringEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * The EndpointTest Lambda of the system-test state machine (docs/contracts/endpoint-test.md):
 * runs {@link EndpointCheck} against the SageMaker endpoint {@code endpointName} with the test split
 * under {@code testDataUri}, writes {@code report.json} under {@code reportUri}, returns the verdict.
 * Infrastructure problems (endpoint missing, access denied, S3 unreadable) are thrown, so the state
 * machine retries or fails with the cause; a model that breaks a check is a {@code FAIL} verdict.
 */
public final class EndpointTestHandler extends JsonStreamHandler<EndpointTestRequest, EndpointTestResult> {
    private static final String NAME = "EndpointTest";

    private final S3Client s3;
    private final SageMakerRuntimeClient runtime;
    private final String region;
    private final WarmUp warmUp;

    /** Lambda: clients built once per container from the environment ({@code AWS_REGION}). */
    public EndpointTestHandler() {
        this(AwsClients.forLambda(HandlerEnv.fromSystem()));
    }

    private EndpointTestHandler(AwsClients clients) {
        this(clients.s3(), clients.sageMakerRuntime(), clients.region().id());
    }

    /** Tests: clients pointed at a stub. */
    public EndpointTestHandler(S3Client s3, SageMakerRuntimeClient runtime, String region) {
        this(s3, runtime, region, WarmUp.standard());
    }

    /** Tests: clients pointed at a stub and a warm-up that does not sleep. */
    public EndpointTestHandler(S3Client s3, SageMakerRuntimeClient runtime, String region, WarmUp warmUp) {
        super(EndpointTestRequest.class);
        this.s3 = s3;
        this.runtime = runtime;
        this.region = region;
        this.warmUp = warmUp;
    }

    @Override
    public EndpointTestResult handle(EndpointTestRequest request, Context context) {
        HandlerLog log = new HandlerLog(NAME, context);
        if (request == null) {
            throw new IllegalArgumentException("EndpointTest got an empty event; it needs endpointName, testDataUri, "
                    + "reportUri and executionId (docs/contracts/endpoint-test.md)");
        }
        request.validate();
        EndpointTestSettings settings = request.settings();
        S3Location testData = S3Location.parse(request.testDataUri(), "testDataUri");
        S3Location report = reportObject(S3Location.parse(request.reportUri(), "reportUri"));
        log.info("endpoint test starting", Map.of("endpointName", request.endpointName(),
                "testDataUri", testData.toString(), "executionId", request.executionId()));
        EndpointTestReport result;
        try {
            result = new EndpointCheck(settings, java.time.Clock.systemUTC(), warmUp).run(
                    new SageMakerScoringEndpoint(runtime, request.endpointName(), region),
                    new S3TestData(s3, testData), request.executionId());
        } catch (RuntimeException e) {
            log.error("endpoint test could not run", e);
            throw e;
        }
        s3.putObject(PutObjectRequest.builder().bucket(report.bucket()).key(report.key())
                        .contentType("application/json").build(),
                RequestBody.fromString(result.toJson(), StandardCharsets.UTF_8));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verdict", result.verdict());
        fields.put("failures", result.failures());
        fields.put("rows", result.counts().rows());
        fields.put("rocAuc", result.rocAuc());
        fields.put("p99Millis", result.latencyMillis().p99());
        fields.put("reportUri", report.toString());
        log.info("endpoint test finished", fields);
        return result.toResult(report.toString());
    }

    /** {@code reportUri} is a prefix ({@code .../system-test/}); a {@code .json} key is used as is. */
    static S3Location reportObject(S3Location reportUri) {
        return reportUri.key().endsWith(".json") ? reportUri : reportUri.child("report.json");
    }
}
