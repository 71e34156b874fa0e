package io.mlops.lambdas.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.mlops.contract.Handler;
import io.mlops.contract.actions.ApproveModel;
import io.mlops.contract.actions.Evaluate;
import io.mlops.contract.actions.LaunchEtl;
import io.mlops.contract.actions.LaunchTraining;
import io.mlops.contract.actions.MonitorEtl;
import io.mlops.contract.actions.MonitorTraining;
import io.mlops.contract.actions.VerifyEndpoint;
import io.mlops.lambdas.approval.ApproveModelParams;
import io.mlops.lambdas.etl.LaunchEtlParams;
import io.mlops.lambdas.etl.MonitorEtlParams;
import io.mlops.lambdas.evaluation.EvaluateParams;
import io.mlops.lambdas.training.LaunchTrainingParams;
import io.mlops.lambdas.training.MonitorTrainingParams;
import io.mlops.lambdas.verify.VerifyEndpointParams;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Binds this module to the contract module: every pipeline handler class the infra names exists here, and
 * each handler's parameter record binds exactly the action input the infra builds (same names, same order,
 * same types), so a parameter the infra passes can never be one the handler rejects as unknown.
 */
class ContractBindingTest {

    private static final Map<Class<? extends Record>, Class<? extends Record>> PARAMS = Map.of(
            LaunchEtlParams.class, LaunchEtl.Input.class,
            MonitorEtlParams.class, MonitorEtl.Input.class,
            LaunchTrainingParams.class, LaunchTraining.Input.class,
            MonitorTrainingParams.class, MonitorTraining.Input.class,
            EvaluateParams.class, Evaluate.Input.class,
            ApproveModelParams.class, ApproveModel.Input.class,
            VerifyEndpointParams.class, VerifyEndpoint.Input.class);

    @ParameterizedTest
    @EnumSource(value = Handler.class, names = "ENDPOINT_TEST", mode = EnumSource.Mode.EXCLUDE)
    void everyPipelineHandlerIsARequestStreamHandlerOfThisModule(Handler handler) throws Exception {
        Class<?> type = Class.forName(handler.className());
        assertThat(RequestStreamHandler.class).as(handler.name()).isAssignableFrom(type);
        assertThat(type.getConstructor()).as(handler + " needs the public no-arg constructor Lambda calls").isNotNull();
    }

    @Test
    void everyParamsRecordBindsItsActionInput() {
        for (var e : PARAMS.entrySet()) {
            assertThat(signature(e.getKey())).as(e.getKey().getSimpleName() + " vs " + e.getValue().getName())
                    .isEqualTo(signature(e.getValue()));
        }
    }

    @Test
    void everyActionHandlerHasItsParamsBound() {
        assertThat(PARAMS).hasSize(EnumSet.range(Handler.LAUNCH_ETL, Handler.VERIFY_ENDPOINT).size());
    }

    private static List<String> signature(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(ContractBindingTest::describe).toList();
    }

    private static String describe(RecordComponent c) {
        return c.getType().getSimpleName() + " " + c.getName();
    }
}
