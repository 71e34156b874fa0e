package io.mlops.lambdas.monitoring;

import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.core.JsonStreamHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.ListPipelineExecutionsResponse;
import software.amazon.awssdk.services.codepipeline.model.PipelineExecutionStatus;
import software.amazon.awssdk.services.codepipeline.model.PipelineExecutionSummary;
import software.amazon.awssdk.services.codepipeline.model.StartPipelineExecutionResponse;
import software.amazon.awssdk.services.codepipeline.model.TriggerType;

/**
 * <b>RetrainOnDrift</b>: the target of the EventBridge rule on the drift alarm's state change (created only with
 * {@code mlops:monitor:retrainOnDrift=true}). Starts one pipeline execution (a retrain on the current source and
 * dataset) when the alarm enters ALARM, at most once per {@code RETRAIN_MIN_INTERVAL_HOURS}:
 *
 * <ul>
 * <li>an event for another state than ALARM is skipped;</li>
 * <li>while any execution of the pipeline is InProgress, the event is skipped (a retrain or release is running;
 * starting one would supersede it);</li>
 * <li>when an execution this function started (trigger StartPipelineExecution, trigger detail naming this
 * function's assumed-role session) began within the interval, the event is skipped;</li>
 * <li>else StartPipelineExecution, with a client request token derived from the interval, so a duplicate event
 * delivery within the same interval is the same request.</li>
 * </ul>
 *
 * <p><b>IAM</b>: codepipeline:ListPipelineExecutions and codepipeline:StartPipelineExecution on the pipeline.
 */
public final class RetrainOnDriftHandler extends JsonStreamHandler<AlarmStateChangeEvent, RetrainDecision> {
    /** Bound on ListPipelineExecutions pages read (100 executions each). */
    static final int MAX_PAGES = 20;

    public record Deps(CodePipelineClient codePipeline, HandlerConfig<RetrainConfig> config, Clock clock) {
        public Deps {
            Objects.requireNonNull(codePipeline, "codePipeline");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(clock, "clock");
        }

        static Deps of(HandlerEnv env) {
            return new Deps(ClientFactory.fromEnv(env).codePipeline(), HandlerConfig.fromEnv(env, RetrainConfig::from),
                    Clock.systemUTC());
        }
    }

    private final Deps deps;

    public RetrainOnDriftHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    public RetrainOnDriftHandler(Deps deps) {
        super(AlarmStateChangeEvent.class);
        this.deps = deps;
    }

    @Override
    public RetrainDecision handle(AlarmStateChangeEvent event, Context context) {
        HandlerLog log = new HandlerLog("RetrainOnDrift", context);
        if (event == null || event.detail() == null) {
            throw new IllegalArgumentException("not a CloudWatch alarm state change event (no 'detail'). This function is "
                    + "the target of the DriftMonitor's EventBridge rule on the drift alarm.");
        }
        RetrainDecision decision = decide(event);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("alarm", String.valueOf(event.alarmName()));
        fields.put("state", String.valueOf(event.stateValue()));
        fields.put("status", decision.status());
        fields.put("pipelineExecutionId", String.valueOf(decision.pipelineExecutionId()));
        fields.put("reason", decision.reason());
        log.info("retrain on drift", fields);
        return decision;
    }

    private RetrainDecision decide(AlarmStateChangeEvent event) {
        if (!"ALARM".equals(event.stateValue())) {
            return new RetrainDecision(RetrainDecision.SKIPPED, null, "alarm " + event.alarmName() + " is "
                    + event.stateValue() + ", not ALARM");
        }
        RetrainConfig config = deps.config().get();
        Instant now = deps.clock().instant();
        Instant cutoff = now.minus(Duration.ofHours(config.minIntervalHours()));
        String token = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String next = token;
            ListPipelineExecutionsResponse response = deps.codePipeline().listPipelineExecutions(r -> r
                    .pipelineName(config.pipelineName()).maxResults(100).nextToken(next));
            boolean older = false;
            for (PipelineExecutionSummary execution : response.pipelineExecutionSummaries()) {
                if (execution.status() == PipelineExecutionStatus.IN_PROGRESS) {
                    return new RetrainDecision(RetrainDecision.SKIPPED, execution.pipelineExecutionId(),
                            "execution " + execution.pipelineExecutionId() + " of " + config.pipelineName()
                                    + " is in progress; it will deploy a model (or fail) without a second start");
                }
                if (execution.startTime() != null && execution.startTime().isBefore(cutoff)) {
                    older = true;
                    continue;
                }
                if (startedByThisFunction(execution, config)) {
                    return new RetrainDecision(RetrainDecision.SKIPPED, execution.pipelineExecutionId(),
                            "a drift retrain (execution " + execution.pipelineExecutionId() + ") started at "
                                    + execution.startTime() + ", within the last " + config.minIntervalHours()
                                    + " h (mlops:monitor:retrainMinIntervalHours)");
                }
            }
            token = response.nextToken();
            // Executions are listed newest first: past the cutoff, later pages are older still.
            if (token == null || older) {
                break;
            }
        }
        long interval = now.getEpochSecond() / Duration.ofHours(config.minIntervalHours()).toSeconds();
        StartPipelineExecutionResponse started = deps.codePipeline().startPipelineExecution(r -> r
                .name(config.pipelineName()).clientRequestToken("drift-retrain-" + interval));
        return new RetrainDecision(RetrainDecision.STARTED, started.pipelineExecutionId(), "alarm " + event.alarmName()
                + " entered ALARM (" + (event.detail().state() == null ? "" : event.detail().state().reason()) + ")");
    }

    private static boolean startedByThisFunction(PipelineExecutionSummary execution, RetrainConfig config) {
        return execution.trigger() != null && execution.trigger().triggerType() == TriggerType.START_PIPELINE_EXECUTION
                && execution.trigger().triggerDetail() != null
                && execution.trigger().triggerDetail().endsWith("/" + config.functionName());
    }
}
