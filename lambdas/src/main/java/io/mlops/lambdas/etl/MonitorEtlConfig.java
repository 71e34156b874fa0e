package io.mlops.lambdas.etl;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;

/** The environment of MonitorEtl: {@code GLUE_JOB_NAME} and {@code ARTIFACT_BUCKET}, both required. */
public record MonitorEtlConfig(String glueJobName, String artifactBucket) {

    static MonitorEtlConfig from(HandlerEnv env) {
        return new MonitorEtlConfig(env.require(EnvNames.GLUE_JOB_NAME), env.require(EnvNames.ARTIFACT_BUCKET));
    }
}
