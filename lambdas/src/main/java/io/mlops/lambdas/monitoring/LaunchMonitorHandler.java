package io.mlops.lambdas.monitoring;

import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.sagemaker.ProcessingJobs;
import io.mlops.contract.Monitoring;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.core.JsonStreamHandler;
import io.mlops.lambdas.naming.JobNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.AppSpecification;
import software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.NetworkConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingClusterConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingInput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutputConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingResources;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3Output;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3UploadMode;
import software.amazon.awssdk.services.sagemaker.model.ProcessingStoppingCondition;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;

/**
 * <b>LaunchMonitor</b>: invoked by EventBridge Scheduler (hourly by default), starts the drift monitor on the
 * last full hour of the PRD endpoint's data capture: a SageMaker Processing job running the serving model's
 * image with the {@code monitor} entry point, the serving model's artifact (its {@code profile.json}) and the
 * window's capture files as inputs, the window's report prefix as output. See docs/decisions/0105-drift-monitor.md.
 *
 * <ul>
 * <li><b>The serving model</b> comes from the endpoint ({@link ServingModel}), not from the registry.</li>
 * <li><b>Idempotent per window</b>: the job name is {@code <prefix>-monitor-<yyyyMMddHH>}; a retried invocation
 * gets {@code ResourceInUse} (CreateProcessingJob's documented answer to a name that exists) and returns
 * {@code exists}.</li>
 * <li><b>Nothing to watch</b>: no endpoint yet, or no capture object in the window: returns without a job
 * (a Processing job with an empty S3 input would fail).</li>
 * </ul>
 * Failures (a SageMaker or S3 error, a bad environment) are thrown with what, where and the fix; the
 * schedule retries them and the function's Errors alarm notifies the topic.
 *
 * <p><b>IAM</b>: sagemaker:ListEndpoints (*), DescribeEndpoint, DescribeEndpointConfig, DescribeModel,
 * DescribeModelPackage, CreateProcessingJob on this project's resources; s3:ListBucket on the capture prefix;
 * iam:PassRole of the monitor role to sagemaker.amazonaws.com.
 */
public final class LaunchMonitorHandler extends JsonStreamHandler<MonitorScheduleEvent, MonitorLaunch> {
    static final String KIND = "monitor";
    static final int VOLUME_SIZE_GB = 10;

    /** What the handler works with: SageMaker and S3 clients (built once per container) and the config. */
    public record Deps(SageMakerClient sageMaker, S3Client s3, HandlerConfig<LaunchMonitorConfig> config) {
        public Deps {
            Objects.requireNonNull(sageMaker, "sageMaker");
            Objects.requireNonNull(s3, "s3");
            Objects.requireNonNull(config, "config");
        }

        static Deps of(HandlerEnv env) {
            ClientFactory clients = ClientFactory.fromEnv(env);
            return new Deps(clients.sageMaker(), clients.s3(), HandlerConfig.fromEnv(env, LaunchMonitorConfig::from));
        }
    }

    private final Deps deps;

    /** Lambda entry point: clients from the function's environment, config read on the first invocation. */
    public LaunchMonitorHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    public LaunchMonitorHandler(Deps deps) {
        super(MonitorScheduleEvent.class);
        this.deps = deps;
    }

    @Override
    public MonitorLaunch handle(MonitorScheduleEvent event, Context context) {
        HandlerLog log = new HandlerLog("LaunchMonitor", context);
        MonitorWindow window = MonitorWindow.before(event == null ? null : event.scheduledTime());
        LaunchMonitorConfig config = deps.config().get();
        Optional<ServingModel> serving = ServingModel.of(deps.sageMaker(), config.endpointName());
        if (serving.isEmpty()) {
            log.info("no endpoint to monitor yet", Map.of("endpoint", config.endpointName(), "window", window.start().toString()));
            return new MonitorLaunch(MonitorLaunch.NO_ENDPOINT, window.start().toString(), null, null);
        }
        ServingModel model = serving.get();
        String name = JobNames.forExecution(config.prefix(), KIND, window.id(), 1);
        List<String> variantsWithTraffic = model.variants().stream()
                .filter(v -> hasCapture(config, Monitoring.captureHourPrefix(config.capturePrefix(), model.endpointName(), v, window.start())))
                .toList();
        if (variantsWithTraffic.isEmpty()) {
            log.info("no capture in the window", Map.of("endpoint", model.endpointName(), "window", window.start().toString(),
                    "prefix", Monitoring.captureHourPrefix(config.capturePrefix(), model.endpointName(), "<variant>", window.start())));
            return new MonitorLaunch(MonitorLaunch.NO_TRAFFIC, window.start().toString(), name, model.modelDataUrl());
        }
        try {
            deps.sageMaker().createProcessingJob(request(config, model, window, variantsWithTraffic, name));
        } catch (ResourceInUseException e) {
            log.info("the window's monitor job exists already", Map.of("processingJob", name));
            return new MonitorLaunch(MonitorLaunch.EXISTS, window.start().toString(), name, model.modelDataUrl());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("processingJob", name);
        fields.put("endpoint", model.endpointName());
        fields.put("endpointConfig", model.endpointConfigName());
        fields.put("model", model.modelName());
        fields.put("modelDataUrl", model.modelDataUrl());
        fields.put("window", window.start().toString());
        log.info("started drift monitor", fields);
        return new MonitorLaunch(MonitorLaunch.STARTED, window.start().toString(), name, model.modelDataUrl());
    }

    private boolean hasCapture(LaunchMonitorConfig config, String prefix) {
        return deps.s3().listObjectsV2(r -> r.bucket(config.bucket()).prefix(prefix).maxKeys(1)).keyCount() > 0;
    }

    /** The window's CreateProcessingJob request (package-private for tests). */
    static CreateProcessingJobRequest request(LaunchMonitorConfig config, ServingModel model, MonitorWindow window,
            List<String> variants, String name) {
        List<ProcessingInput> inputs = new ArrayList<>();
        inputs.add(ProcessingJobs.s3Input("model", model.modelDataUrl(), Monitoring.MODEL_INPUT_PATH));
        for (String variant : variants) {
            inputs.add(ProcessingJobs.s3Input("capture-" + variant, "s3://" + config.bucket() + "/"
                    + Monitoring.captureHourPrefix(config.capturePrefix(), model.endpointName(), variant, window.start()),
                    Monitoring.CAPTURE_INPUT_PATH + "/" + model.endpointName() + "/" + variant + "/" + Monitoring.hourPath(window.start())));
        }
        ProcessingOutputConfig.Builder output = ProcessingOutputConfig.builder()
                .outputs(ProcessingOutput.builder().outputName("monitoring")
                        .s3Output(ProcessingS3Output.builder()
                                .s3Uri("s3://" + config.bucket() + "/" + Monitoring.outputHourPrefix(config.outputPrefix(),
                                        model.endpointName(), window.start()))
                                .localPath(Monitoring.OUTPUT_PATH).s3UploadMode(ProcessingS3UploadMode.END_OF_JOB).build())
                        .build());
        ProcessingClusterConfig.Builder cluster = ProcessingClusterConfig.builder().instanceCount(1)
                .instanceType(config.instanceType()).volumeSizeInGB(VOLUME_SIZE_GB);
        config.kmsKeyId().ifPresent(key -> {
            output.kmsKeyId(key);
            cluster.volumeKmsKeyId(key);
        });
        Map<String, String> environment = new LinkedHashMap<>(config.jobEnvironment());
        environment.put(Monitoring.ENV_NAMESPACE, config.namespace());
        environment.put(Monitoring.ENV_SETTINGS, settings(environment.get(Monitoring.ENV_SETTINGS), model, window));
        checkEnvironment(environment);
        return CreateProcessingJobRequest.builder()
                .processingJobName(name)
                .appSpecification(AppSpecification.builder().imageUri(model.imageUri()).containerEntrypoint(Monitoring.ENTRY_POINT).build())
                .processingInputs(inputs)
                .processingOutputConfig(output.build())
                .processingResources(ProcessingResources.builder().clusterConfig(cluster.build()).build())
                .stoppingCondition(ProcessingStoppingCondition.builder().maxRuntimeInSeconds(config.maxRuntimeSeconds()).build())
                .environment(environment)
                .roleArn(config.roleArn())
                // No network isolation: the job publishes its metrics to CloudWatch itself (ADR 0105).
                .networkConfig(NetworkConfig.builder().enableNetworkIsolation(false).enableInterContainerTrafficEncryption(true).build())
                .build();
    }

    static final int MAX_ENVIRONMENT_ENTRIES = 100;
    static final int MAX_ENVIRONMENT_LENGTH = 256;
    private static final Pattern ENVIRONMENT_KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /**
     * Fails, naming the entry, where SageMaker would refuse the job's Environment (CreateProcessingJob: at most 100
     * entries, keys {@code [a-zA-Z_][a-zA-Z0-9_]*} of at most 256 characters, values of at most 256), so a bad
     * MONITOR_JOB_ENVIRONMENT fails each invocation with the fix instead of a ValidationException.
     */
    static void checkEnvironment(Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        if (environment.size() > MAX_ENVIRONMENT_ENTRIES) {
            problems.add(environment.size() + " entries (SageMaker allows " + MAX_ENVIRONMENT_ENTRIES + ")");
        }
        environment.forEach((key, value) -> {
            if (key.length() > MAX_ENVIRONMENT_LENGTH || !ENVIRONMENT_KEY.matcher(key).matches()) {
                problems.add("key '" + (key.length() > 80 ? key.substring(0, 80) + "..." : key) + "' (keys: "
                        + ENVIRONMENT_KEY.pattern() + ", at most " + MAX_ENVIRONMENT_LENGTH + " characters)");
            }
            if (value.length() > MAX_ENVIRONMENT_LENGTH) {
                problems.add(key + " has " + value.length() + " characters (at most " + MAX_ENVIRONMENT_LENGTH + ")");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the monitor job's environment is not what CreateProcessingJob accepts: "
                    + String.join("; ", problems) + ". " + Monitoring.ENV_SETTINGS + " carries the endpoint and the window "
                    + "(about 120 characters); set thresholds in config/run-settings.json monitoring.* (they travel with "
                    + "the model), not in MONITOR_JOB_ENVIRONMENT, and redeploy.");
        }
    }

    /**
     * The monitor's settings: the configured ones (thresholds) plus the endpoint and the window, so records
     * SageMaker filed under the hour but stamped outside it are counted and left out.
     */
    static String settings(String configured, ServingModel model, MonitorWindow window) {
        com.fasterxml.jackson.databind.node.ObjectNode node;
        try {
            com.fasterxml.jackson.databind.JsonNode parsed = configured == null ? null : io.mlops.lambdas.core.Json.STRICT.readTree(configured);
            if (parsed != null && !parsed.isObject()) {
                throw new IllegalStateException("MONITOR_SETTINGS in MONITOR_JOB_ENVIRONMENT must be a JSON object, received '"
                        + configured + "'. Fix the mlops:monitor context and redeploy.");
            }
            node = parsed == null ? io.mlops.lambdas.core.Json.STRICT.createObjectNode() : (com.fasterxml.jackson.databind.node.ObjectNode) parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("MONITOR_SETTINGS in MONITOR_JOB_ENVIRONMENT is not JSON: '" + configured
                    + "'. Fix the mlops:monitor context and redeploy.", e);
        }
        node.put("endpoint", model.endpointName());
        node.put("window_start", window.start().toString());
        node.put("window_end", window.end().toString());
        return node.toString();
    }
}
