package io.mlops.lambdas.training;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import java.util.Optional;

/** The environment of MonitorTraining: only {@code AWS_REGION} (optional here: the console link in messages). */
public record MonitorTrainingConfig(Optional<String> region) {

    static MonitorTrainingConfig from(HandlerEnv env) {
        return new MonitorTrainingConfig(env.optional(EnvNames.AWS_REGION));
    }
}
