package io.mlops.lambdas.verify;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import java.util.Optional;

/**
 * The environment of VerifyEndpoint: {@code MODEL_PACKAGE_GROUP} (required: the PRD verify records the
 * served version as Production in it), {@code AWS_REGION} (optional: the console link in messages).
 */
public record VerifyEndpointConfig(String modelPackageGroup, Optional<String> region) {

    static VerifyEndpointConfig from(HandlerEnv env) {
        return new VerifyEndpointConfig(env.require(EnvNames.MODEL_PACKAGE_GROUP), env.optional(EnvNames.AWS_REGION));
    }
}
