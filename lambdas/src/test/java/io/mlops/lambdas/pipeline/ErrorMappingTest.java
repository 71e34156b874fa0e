package io.mlops.lambdas.pipeline;

import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.HandlerCase;
import io.mlops.lambdas.testing.TestContext;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error mapping, once over every handler: each of the seven CodePipeline handlers (and the ModelGroup
 * custom resource where the failure applies to it) is driven from its JSON event fixture through the
 * same failure kinds, and must report the same kind of failure: PutJobFailureResult with the failure
 * type, a message starting with the handler's name that carries the service's code, message and request
 * id, and the Lambda request id as external execution id (ModelGroup: an exception CloudFormation shows).
 * The handler-specific failures stay in each handler's own test.
 */
class ErrorMappingTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static Stream<HandlerCase> pipelineHandlers() {
        return HandlerCase.pipelineHandlers().stream();
    }

    static Stream<HandlerCase> everyHandler() {
        return Stream.concat(pipelineHandlers(), Stream.of(HandlerCase.modelGroup()));
    }

    static Stream<Arguments> requiredVariables() {
        return pipelineHandlers().flatMap(c -> c.requiredEnv().stream().map(name -> Arguments.of(c, name)));
    }

    static Stream<HandlerCase> continuingHandlers() {
        return pipelineHandlers().filter(HandlerCase::readsContinuationToken);
    }

    static void invoke(HandlerCase c, Map<String, String> env, String event) {
        Fixtures.invoke(c.create(new HandlerEnv(env), aws.clients()), event, new TestContext());
    }

    /** Runs the handler on its fixture; the failure it reported (CodePipeline) or threw (CloudFormation). */
    static Failure failureOf(HandlerCase c) {
        c.beforeFirstCall().accept(aws);
        if (c.name().equals("ModelGroup")) {
            Throwable[] thrown = new Throwable[1];
            assertThatThrownBy(() -> invoke(c, c.env(), c.event())).satisfies(t -> thrown[0] = t);
            assertThat(aws.count(PUT_JOB_FAILURE)).isZero();
            return new Failure(null, thrown[0].getMessage(), null);
        }
        invoke(c, c.env(), c.event());
        JsonNode failure = aws.jobFailure();
        return new Failure(failure.path("type").asText(), failure.path("message").asText(),
                failure.path("externalExecutionId").asText());
    }

    record Failure(String type, String message, String externalExecutionId) {
        /** Asserts the failure type (CodePipeline handlers only) and that the Lambda request id is the external id. */
        Failure hasType(String expected) {
            if (type != null) {
                assertThat(type).isEqualTo(expected);
                assertThat(externalExecutionId).isEqualTo(TestContext.REQUEST_ID);
            }
            return this;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyHandler")
    void failsWithPermissionErrorNamingTheDeniedCallAndTheIamTable(HandlerCase c) {
        aws.error(c.firstCall(), 400, "AccessDeniedException", "User is not authorized to perform: " + c.firstCall());

        Failure failure = failureOf(c).hasType("PermissionError");

        assertThat(failure.message()).startsWith(c.name()).contains("AccessDeniedException", "HTTP 400",
                "request id req-AccessDeniedException", "User is not authorized to perform: " + c.firstCall(),
                "lacks a permission", "lambdas/README.md");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyHandler")
    void failsWithJobFailedCarryingTheServicesCodeMessageAndRequestId(HandlerCase c) {
        // InvalidAction: a common error of every AWS API (400), which no handler treats specially.
        aws.error(c.firstCall(), 400, "InvalidAction", "The action or operation requested is invalid");

        Failure failure = failureOf(c).hasType("JobFailed");

        assertThat(failure.message()).startsWith(c.name()).contains("returned InvalidAction (HTTP 400, request id "
                + "req-InvalidAction): The action or operation requested is invalid.");
        assertThat(aws.count(c.firstCall())).as("a 400 is not retried").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyHandler")
    void failsWithSystemUnavailableAfterTheSdkRetriedA503(HandlerCase c) {
        aws.error(c.firstCall(), 503, "ServiceUnavailable", "Service is unavailable");

        Failure failure = failureOf(c).hasType("SystemUnavailable");

        assertThat(failure.message()).startsWith(c.name()).contains("ServiceUnavailable", "HTTP 503",
                "Service is unavailable", "retry the");
        assertThat(aws.count(c.firstCall())).as("retried by the SDK").isGreaterThan(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyHandler")
    void failsWithSystemUnavailableWhenAwsCannotBeReached(HandlerCase c) {
        aws.connectionReset(c.firstCall());

        Failure failure = failureOf(c).hasType("SystemUnavailable");

        assertThat(failure.message()).startsWith(c.name()).contains("could not reach", "retry the");
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("requiredVariables")
    void failsWithConfigurationErrorBeforeAnyCallWhenARequiredVariableIsNotSet(HandlerCase c, String variable) {
        Map<String, String> env = c.envCopy();
        env.remove(variable);

        invoke(c, env, c.event());

        JsonNode failure = aws.assertJobFailed("ConfigurationError", c.name() + ": environment variable " + variable
                + " is not set on this function", "redeploy the stack");
        assertThat(failure.path("externalExecutionId").asText()).isEqualTo(TestContext.REQUEST_ID);
        assertThat(aws.allRequests()).as("no call before the configuration is complete").hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipelineHandlers")
    void failsWithConfigurationErrorNamingAnUnknownUserParameter(HandlerCase c) {
        ObjectNode params = Fixtures.tree(userParameters(c.event()));
        params.put("unexpectedKey", "x");

        invoke(c, c.env(), Fixtures.withUserParameters(c.event(), params.toString()));

        aws.assertJobFailed("ConfigurationError", "UserParameters do not match " + c.name() + "Params", "unexpectedKey");
        assertThat(aws.allRequests()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipelineHandlers")
    void failsWithConfigurationErrorWhenTheActionHasNoUserParameters(HandlerCase c) {
        ObjectNode event = Fixtures.tree(c.event());
        ((ObjectNode) event.path("CodePipeline.job").path("data").path("actionConfiguration").path("configuration"))
                .remove("UserParameters");

        invoke(c, c.env(), event.toString());

        aws.assertJobFailed("ConfigurationError", "the action has no UserParameters; " + c.name() + "Params expects");
        assertThat(aws.allRequests()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("continuingHandlers")
    void failsWithConfigurationErrorOnAContinuationTokenFromAnotherHandlerVersion(HandlerCase c) {
        invoke(c, c.env(), Fixtures.withContinuationToken(c.event(), "{\"writtenBy\":\"another version\"}"));

        aws.assertJobFailed("ConfigurationError", "continuation token is not a", "written by this handler version",
                "Retry the stage");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyHandler")
    void failsTheInvocationItselfForAnEventFromElsewhere(HandlerCase c) {
        assertThatThrownBy(() -> invoke(c, c.env(), Fixtures.event("not-a-codepipeline-job.json")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(c.name().equals("ModelGroup") ? "not a CloudFormation custom resource event"
                        : "not a CodePipeline job event");
        assertThat(aws.allRequests()).as("nothing to report to").isEmpty();
    }

    private static String userParameters(String event) {
        return Fixtures.tree(event).path("CodePipeline.job").path("data").path("actionConfiguration")
                .path("configuration").path("UserParameters").asText();
    }
}
