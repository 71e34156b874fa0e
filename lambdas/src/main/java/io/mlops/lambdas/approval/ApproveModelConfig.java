package io.mlops.lambdas.approval;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;

/** The environment of ApproveModel: {@code MODEL_PACKAGE_GROUP}, required. */
public record ApproveModelConfig(String modelPackageGroup) {

    static ApproveModelConfig from(HandlerEnv env) {
        return new ApproveModelConfig(env.require(EnvNames.MODEL_PACKAGE_GROUP));
    }
}
