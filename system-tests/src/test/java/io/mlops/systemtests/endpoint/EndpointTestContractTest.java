package io.mlops.systemtests.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.mlops.contract.Handler;
import io.mlops.contract.actions.EndpointTest;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Binds the endpoint test function to the contract module the infra builds its input from. */
class EndpointTestContractTest {

    @Test
    void theHandlerTheInfraNamesIsThisModulesRequestStreamHandler() throws Exception {
        Class<?> type = Class.forName(Handler.ENDPOINT_TEST.className());
        assertThat(type).isEqualTo(EndpointTestHandler.class);
        assertThat(RequestStreamHandler.class).isAssignableFrom(type);
    }

    /** The request binds every field of the state machine input, by name and in order (numbers may widen). */
    @Test
    void theRequestBindsEveryFieldOfTheStateMachineInput() {
        assertThat(names(EndpointTestRequest.class)).isEqualTo(names(EndpointTest.class));
    }

    private static java.util.List<String> names(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
    }
}
