package io.mlops.lambdas.monitoring;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;

/**
 * The environment of RetrainOnDrift: {@code PIPELINE_NAME} and {@code RETRAIN_MIN_INTERVAL_HOURS} (1..720)
 * required, both set by infra's {@code DriftMonitor} from {@code mlops:monitor:retrainMinIntervalHours};
 * {@code AWS_LAMBDA_FUNCTION_NAME} (set by Lambda) identifies the executions this function started.
 */
public record RetrainConfig(String pipelineName, int minIntervalHours, String functionName) {
    static RetrainConfig from(HandlerEnv env) {
        String hours = env.require(EnvNames.RETRAIN_MIN_INTERVAL_HOURS);
        int value;
        try {
            value = Integer.parseInt(hours);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1 || value > 720) {
            throw new IllegalStateException("environment variable " + EnvNames.RETRAIN_MIN_INTERVAL_HOURS
                    + " must be a number of hours from 1 to 720, received '" + hours
                    + "'. It is set from mlops:monitor:retrainMinIntervalHours: fix cdk.json and redeploy.");
        }
        return new RetrainConfig(env.require(EnvNames.PIPELINE_NAME), value, env.require("AWS_LAMBDA_FUNCTION_NAME"));
    }
}
