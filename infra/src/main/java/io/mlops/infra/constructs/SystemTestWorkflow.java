package io.mlops.infra.constructs;

import io.mlops.contract.Handler;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import software.constructs.Construct;

/**
 * The SystemTest stage's workflow: a Step Functions state machine that invokes the endpoint test
 * Lambda ({@code io.mlops.systemtests.endpoint.EndpointTestHandler}, docs/contracts/endpoint-test.md) with retries on
 * transient Lambda errors, branches on its {@code verdict} (PASS → succeed, FAIL → fail with the
 * failed checks as the cause), logs ALL events with execution data, and traces with X-Ray.
 *
 * <p>State names are stable API (the local-execution tests address them).
 */
public final class SystemTestWorkflow extends Construct {
    public static final String TASK = "RunEndpointTest";
    public static final String CHOICE = "Verdict";
    public static final String PASSED = "EndpointPassed";
    public static final String FAILED = "EndpointFailed";
    public static final String DESCRIBE = "DescribeFailures";
    public static final String UNKNOWN = "UnknownVerdict";
    /** Errors retried: the Lambda service's transient ones (the handler throws infrastructure problems). */
    public static final List<String> RETRIED_ERRORS = List.of("Lambda.ServiceException", "Lambda.AWSLambdaException",
            "Lambda.SdkClientException", "Lambda.TooManyRequestsException", "States.Timeout");


    private final JavaFunction endpointTest;
    private final StateMachine stateMachine;

    public SystemTestWorkflow(Construct scope, String id, SystemTestWorkflowProps props) {
        super(scope, id);
        PipelineStorage storage = props.storage();
        endpointTest = new JavaFunction(this, "EndpointTest", JavaFunctionProps.builder()
                .code(props.code())
                .handler(Handler.ENDPOINT_TEST.className())
                .description("System test of the DEV endpoint: accuracy, latency, malformed requests")
                .memoryMb(1024)
                .timeout(Duration.minutes(10))
                .logKey(storage.key())
                .logRetention(props.logRetention())
                .logRemoval(props.logRemoval())
                .build());
        endpointTest.allow(List.of("sagemaker:InvokeEndpoint"),
                List.of(PipelineHandlers.sagemakerArn(Stack.of(this), "endpoint", props.endpointName())));
        storage.grantRunsRead(endpointTest, "etl/test/*");
        storage.grantRunsList(endpointTest);
        storage.grantRunsWrite(endpointTest, "system-test/*");

        LambdaInvoke task = LambdaInvoke.Builder.create(this, TASK)
                .stateName(TASK)
                .comment("Runs docs/contracts/endpoint-test.md against the DEV endpoint")
                .lambdaFunction(endpointTest.function())
                .payloadResponseOnly(true)
                .retryOnServiceExceptions(false)
                .taskTimeout(software.amazon.awscdk.services.stepfunctions.Timeout.duration(props.taskTimeout()))
                .build();
        task.addRetry(RetryProps.builder()
                .errors(RETRIED_ERRORS)
                .maxAttempts(props.maxAttempts())
                .interval(props.retryInterval())
                .backoffRate(2)
                .build());
        Fail failed = Fail.Builder.create(this, FAILED)
                .stateName(FAILED)
                .error("EndpointTestFailed")
                .causePath("$.cause")
                .build();
        // The cause shown in the pipeline: every failed check, plus where the report is.
        Pass describe = Pass.Builder.create(this, DESCRIBE)
                .stateName(DESCRIBE)
                .parameters(java.util.Map.of("cause.$", "States.Format('DEV endpoint failed its system test: {} (report: {})',"
                        + " States.JsonToString($.failures), $.reportUri)"))
                .build();
        Fail unknown = Fail.Builder.create(this, UNKNOWN)
                .stateName(UNKNOWN)
                .error("EndpointTestUnknownVerdict")
                .cause("the endpoint test returned no verdict PASS or FAIL (docs/contracts/endpoint-test.md)")
                .build();
        Choice choice = Choice.Builder.create(this, CHOICE).stateName(CHOICE).build()
                .when(Condition.and(Condition.isPresent("$.verdict"), Condition.stringEquals("$.verdict", "PASS")),
                        Succeed.Builder.create(this, PASSED).stateName(PASSED).build())
                .when(Condition.and(Condition.isPresent("$.verdict"), Condition.stringEquals("$.verdict", "FAIL")),
                        describe.next(failed))
                .otherwise(unknown);

        LogGroup logs = LogGroup.Builder.create(this, "Logs")
                .logGroupName("/aws/vendedlogs/states/" + props.endpointName() + "-system-test")
                .retention(props.logRetention())
                .encryptionKey(storage.key())
                .removalPolicy(props.logRemoval())
                .build();
        stateMachine = StateMachine.Builder.create(this, "StateMachine")
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromChainable(task.next(choice)))
                .timeout(Duration.hours(1))
                .tracingEnabled(true)
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(true).build())
                .comment("System test of the DEV endpoint (SystemTest stage)")
                .build();
        Suppress.nag(stateMachine.getRole(), NagIds.resource(NagIds.arnOf(endpointTest.function()) + ":*"),
                "CDK's LambdaInvoke grant covers the function's versions and aliases (ARN:*); it is this one function.");
        Suppress.nag(stateMachine.getRole(), NagIds.resource("*"),
                "X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and log delivery actions"
                        + " support no resource-level permissions.");
    }

    public JavaFunction endpointTest() {
        return endpointTest;
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }
}
