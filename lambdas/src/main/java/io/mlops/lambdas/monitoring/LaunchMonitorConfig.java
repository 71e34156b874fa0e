package io.mlops.lambdas.monitoring;

import com.fasterxml.jackson.core.type.TypeReference;
import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.Json;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The environment of LaunchMonitor, all set by infra's {@code DriftMonitor} from {@code mlops:monitor:*}:
 * {@code MONITOR_ENDPOINT_NAME}, {@code ARTIFACT_BUCKET}, {@code MONITOR_CAPTURE_PREFIX},
 * {@code MONITOR_OUTPUT_PREFIX}, {@code MONITOR_ROLE_ARN}, {@code MONITOR_INSTANCE_TYPE},
 * {@code MONITOR_MAX_RUNTIME_SECONDS}, {@code MONITOR_NAMESPACE} required; {@code JOB_NAME_PREFIX} (default
 * {@value #DEFAULT_PREFIX}), {@code KMS_KEY_ARN} and {@code MONITOR_JOB_ENVIRONMENT} (a JSON object of strings:
 * the thresholds) optional. A missing or malformed value fails the invocation with the name and the fix.
 */
public record LaunchMonitorConfig(String endpointName, String bucket, String capturePrefix, String outputPrefix,
        String roleArn, String instanceType, int maxRuntimeSeconds, String namespace, String prefix,
        Optional<String> kmsKeyId, Map<String, String> jobEnvironment) {
    static final String DEFAULT_PREFIX = "mlops";
    private static final Pattern INSTANCE_TYPE = Pattern.compile("ml\\.[a-z0-9]+\\.[a-z0-9]+");

    public LaunchMonitorConfig {
        jobEnvironment = Map.copyOf(jobEnvironment);
    }

    static LaunchMonitorConfig from(HandlerEnv env) {
        String role = env.require(EnvNames.MONITOR_ROLE_ARN);
        if (!role.startsWith("arn:") || !role.contains(":role/")) {
            throw invalid(EnvNames.MONITOR_ROLE_ARN, role, "an IAM role ARN");
        }
        String type = env.require(EnvNames.MONITOR_INSTANCE_TYPE);
        if (!INSTANCE_TYPE.matcher(type).matches()) {
            throw invalid(EnvNames.MONITOR_INSTANCE_TYPE, type, "a SageMaker instance type such as ml.t3.medium");
        }
        String runtime = env.require(EnvNames.MONITOR_MAX_RUNTIME_SECONDS);
        int seconds;
        try {
            seconds = Integer.parseInt(runtime);
        } catch (NumberFormatException e) {
            throw invalid(EnvNames.MONITOR_MAX_RUNTIME_SECONDS, runtime, "a number of seconds (1 to 432000)");
        }
        // CreateProcessingJob: StoppingCondition.MaxRuntimeInSeconds 1..604800 (API Reference); we bound it to 5 days.
        if (seconds < 1 || seconds > 432_000) {
            throw invalid(EnvNames.MONITOR_MAX_RUNTIME_SECONDS, runtime, "a number of seconds (1 to 432000)");
        }
        return new LaunchMonitorConfig(env.require(EnvNames.MONITOR_ENDPOINT_NAME), env.require(EnvNames.ARTIFACT_BUCKET),
                env.require(EnvNames.MONITOR_CAPTURE_PREFIX), env.require(EnvNames.MONITOR_OUTPUT_PREFIX), role, type, seconds,
                env.require(EnvNames.MONITOR_NAMESPACE), env.orDefault(EnvNames.JOB_NAME_PREFIX, DEFAULT_PREFIX),
                env.optional(EnvNames.KMS_KEY_ARN), jobEnvironment(env.optional(EnvNames.MONITOR_JOB_ENVIRONMENT)));
    }

    private static Map<String, String> jobEnvironment(Optional<String> json) {
        if (json.isEmpty()) {
            return Map.of();
        }
        try {
            return Json.STRICT.readValue(json.get(), new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw invalid(EnvNames.MONITOR_JOB_ENVIRONMENT, json.get(), "a JSON object of string values");
        }
    }

    private static IllegalStateException invalid(String name, String value, String expected) {
        return new IllegalStateException("environment variable " + name + " must be " + expected + ", received '"
                + value + "'. It is set from the mlops:monitor:* context: fix cdk.json and redeploy (cdk deploy).");
    }
}
