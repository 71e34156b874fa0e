package io.mlops.infra.constructs;

import io.mlops.contract.EnvNames;
import io.mlops.contract.Handler;
import io.mlops.contract.Monitoring;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.events.EventField;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.interfaces.events.IRuleRef;
import software.amazon.awscdk.services.events.IRuleTarget;
import software.amazon.awscdk.services.events.Match;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetConfig;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.scheduler.ContextAttribute;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.targets.LambdaInvoke;
import software.constructs.Construct;

/**
 * The PRD drift monitor (ADR 0105), built from the model image and plain AWS services (SageMaker Model Monitor
 * is closed to new customers):
 * <ul>
 *   <li>{@code Schedule} (EventBridge Scheduler, default 10 minutes past every hour) invokes {@code Launch}
 *       (LaunchMonitor) with the scheduled time;</li>
 *   <li>{@code Launch} starts one SageMaker Processing job per window, running the serving model's image with the
 *       {@code monitor} entry point as {@code JobRole};</li>
 *   <li>{@code JobRole} may read the capture prefix and the trained models, write the monitoring prefix and put
 *       metrics in the one namespace;</li>
 *   <li>{@code DriftAlarm} (the job's {@code DriftAlarm} metric) and {@code LaunchErrors} (the launcher's errors)
 *       notify the alarm topic, and so does {@code JobFailedRule} when a monitor job fails after it started (the
 *       topic must admit EventBridge: {@link ApprovalTopic#allowEventBridgeRules()});</li>
 *   <li>with a pipeline: {@code Retrain} (RetrainOnDrift), the target of the {@code RetrainOnDriftRule} on the drift
 *       alarm entering ALARM, starts the pipeline at most once per interval.</li>
 * </ul>
 */
public final class DriftMonitor extends Construct {
    private final Role jobRole;
    private final JavaFunction launch;
    private final Schedule schedule;
    private final Alarm driftAlarm;
    private final Alarm launchErrors;
    private final Rule jobFailed;
    private final JavaFunction retrain;
    private final PipelineStorage storage;
    private final String outputPrefix;

    public DriftMonitor(Construct scope, String id, DriftMonitorProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        storage = props.storage();
        outputPrefix = props.outputPrefix();
        String bucket = storage.artifactBucket().getBucketName();
        String prefix = props.jobNamePrefix().toLowerCase(Locale.ROOT);

        jobRole = Role.Builder.create(this, "JobRole")
                .assumedBy(new ServicePrincipal("sagemaker.amazonaws.com"))
                .description("SageMaker Processing jobs of the drift monitor of " + props.endpointName())
                .build();
        props.repository().grantPull(jobRole);
        storage.grantRunsRead(jobRole, "training/*");
        storage.grantKeyUse(jobRole, true);
        jobRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of(storage.artifactBucket().arnForObjects(props.capturePrefix() + "*")))
                .build());
        jobRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:ListBucket"))
                .resources(List.of(storage.artifactBucket().getBucketArn()))
                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of(props.capturePrefix() + "*", "runs/*"))))
                .build());
        jobRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject", "s3:AbortMultipartUpload"))
                .resources(List.of(storage.artifactBucket().arnForObjects(props.outputPrefix() + "*")))
                .build());
        jobRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("kms:CreateGrant", "kms:DescribeKey"))
                .resources(List.of(storage.key().getKeyArn()))
                .conditions(Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true")))
                .build());
        jobRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"))
                .resources(List.of(stack.formatArn(ArnComponents.builder().service("logs").resource("log-group")
                        .arnFormat(ArnFormat.COLON_RESOURCE_NAME).resourceName("/aws/sagemaker/ProcessingJobs*").build())))
                .build());
        // CloudWatch documents the cloudwatch:namespace condition key for PutMetricData ("Using condition keys to
        // limit access to CloudWatch namespaces"): the job may publish only in the monitor's namespace.
        jobRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("cloudwatch:PutMetricData"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("cloudwatch:namespace", props.namespace())))
                .build());
        Suppress.nag(jobRole, NagIds.resource("*"), "ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no"
                + " resource-level permissions; PutMetricData is limited to the monitor's namespace by condition.");
        Suppress.nag(jobRole, NagIds.resource(NagIds.arnOf(storage.artifactBucket()) + "/" + props.capturePrefix() + "*"),
                "Data capture keys are generated by SageMaker (endpoint/variant/yyyy/mm/dd/hh/uuid); the job reads one hour of them.");
        Suppress.nag(jobRole, NagIds.resource(NagIds.arnOf(storage.artifactBucket()) + "/" + props.outputPrefix() + "*"),
                "Reports are written per endpoint and window (monitoring/<endpoint>/yyyy/mm/dd/hh/), known only at run time.");
        Suppress.nag(jobRole, NagIds.resource(NagIds.arn("logs", "log-group:/aws/sagemaker/ProcessingJobs*")),
                "SageMaker writes Processing job logs to /aws/sagemaker/ProcessingJobs, one stream per job.");

        Map<String, String> env = new LinkedHashMap<>();
        env.put(EnvNames.MONITOR_ENDPOINT_NAME, props.endpointName());
        env.put(EnvNames.ARTIFACT_BUCKET, bucket);
        env.put(EnvNames.MONITOR_CAPTURE_PREFIX, props.capturePrefix());
        env.put(EnvNames.MONITOR_OUTPUT_PREFIX, props.outputPrefix());
        env.put(EnvNames.MONITOR_ROLE_ARN, jobRole.getRoleArn());
        env.put(EnvNames.MONITOR_INSTANCE_TYPE, props.instanceType());
        env.put(EnvNames.MONITOR_MAX_RUNTIME_SECONDS, Integer.toString(props.maxRuntimeSeconds()));
        env.put(EnvNames.MONITOR_NAMESPACE, props.namespace());
        env.put(EnvNames.JOB_NAME_PREFIX, props.jobNamePrefix());
        env.put(EnvNames.KMS_KEY_ARN, storage.key().getKeyArn());
        launch = new JavaFunction(this, "Launch", JavaFunctionProps.builder()
                .code(props.handlerCode()).handler(Handler.LAUNCH_MONITOR.className())
                .description("Starts the drift monitor's Processing job on the last full hour of " + props.endpointName() + " capture")
                .memoryMb(512).timeout(Duration.minutes(1)).environment(env)
                .logKey(storage.key()).logRetention(props.logRetention()).logRemoval(props.logRemoval())
                .build());
        String endpointArn = sagemakerArn(stack, "endpoint", props.endpointName());
        launch.allow(List.of("sagemaker:ListEndpoints"), List.of("*"));
        launch.allow(List.of("sagemaker:DescribeEndpoint"), List.of(endpointArn));
        launch.allow(List.of("sagemaker:DescribeEndpointConfig"), List.of(sagemakerArn(stack, "endpoint-config", prefix + "-*")));
        launch.allow(List.of("sagemaker:DescribeModel"), List.of(sagemakerArn(stack, "model", prefix + "-*")));
        launch.allow(List.of("sagemaker:DescribeModelPackage"),
                List.of(sagemakerArn(stack, "model-package", props.modelPackageGroup() + "/*")));
        launch.allow(List.of("sagemaker:CreateProcessingJob"), List.of(sagemakerArn(stack, "processing-job", prefix + "-monitor-*")));
        launch.allow(List.of("kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"), List.of(storage.key().getKeyArn()));
        launch.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("kms:CreateGrant"))
                .resources(List.of(storage.key().getKeyArn()))
                .conditions(Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true")))
                .build());
        launch.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:ListBucket"))
                .resources(List.of(storage.artifactBucket().getBucketArn()))
                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of(props.capturePrefix() + "*"))))
                .build());
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(launch)
                .actions(List.of("iam:PassRole"))
                .resourceArns(List.of(jobRole.getRoleArn()))
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "sagemaker.amazonaws.com")))
                .build());
        Suppress.nag(launch.role(), NagIds.resource("*"), "sagemaker:ListEndpoints supports no resource-level permissions"
                + " (Service Authorization Reference); it finds whether the endpoint exists (exact name).");
        Suppress.nag(launch.role(), NagIds.resource(NagIds.arn("sagemaker", "endpoint-config/" + prefix + "-*")),
                "Endpoint configs and models are named per pipeline execution by the endpoint templates; limited to this project's prefix.");
        Suppress.nag(launch.role(), NagIds.resource(NagIds.arn("sagemaker", "model/" + prefix + "-*")),
                "Endpoint configs and models are named per pipeline execution by the endpoint templates; limited to this project's prefix.");
        Suppress.nag(launch.role(), NagIds.resource(NagIds.arn("sagemaker", "model-package/" + props.modelPackageGroup().toLowerCase(Locale.ROOT) + "/*")),
                "Model package versions of this one group are numbered by SageMaker at registration time.");
        Suppress.nag(launch.role(), NagIds.resource(NagIds.arn("sagemaker", "processing-job/" + prefix + "-monitor-*")),
                "Monitor job names carry the window (<prefix>-monitor-yyyyMMddHH), known only at run time.");

        // Our own target role (CDK's shared SchedulerRoleForTarget also grants <function>:*): invoke this function only.
        Role schedulerRole = Role.Builder.create(this, "ScheduleRole")
                .assumedBy(new ServicePrincipal("scheduler.amazonaws.com", software.amazon.awscdk.services.iam.ServicePrincipalOpts.builder()
                        .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", stack.getAccount()))).build()))
                .description("EventBridge Scheduler: invokes the drift monitor's launcher")
                .build();
        schedulerRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("lambda:InvokeFunction"))
                .resources(List.of(launch.function().getFunctionArn()))
                .build());
        schedule = Schedule.Builder.create(this, "Schedule")
                .description("Drift monitor of " + props.endpointName() + ": the last full hour of capture")
                .schedule(ScheduleExpression.expression(props.schedule()))
                .target(LambdaInvoke.Builder.create(launch.function())
                        .input(ScheduleTargetInput.fromObject(Map.of("scheduledTime", ContextAttribute.getScheduledTime())))
                        .retryAttempts(2)
                        .maxEventAge(Duration.hours(1))
                        .role(schedulerRole)
                        .build())
                .build();

        Suppress.nag(schedulerRole, NagIds.resource(NagIds.arnOf(launch.function()) + ":*"),
                "CDK's LambdaInvoke target adds lambda:InvokeFunction on the function's versions and aliases (<arn>:*) to the"
                        + " role it is given; the role can invoke only this one function.");

        driftAlarm = Alarm.Builder.create(this, "DriftAlarm")
                .alarmName(props.endpointName() + "-drift")
                .alarmDescription("Drift of " + props.endpointName() + ": the monitor's report for the last hour raised the alarm"
                        + " (see s3://<artifact bucket>/" + props.outputPrefix() + props.endpointName() + "/<yyyy>/<mm>/<dd>/<hh>/report.html"
                        + " and docs/runbook.md, \"When the drift alarm fires\")")
                .metric(Metric.Builder.create().namespace(props.namespace()).metricName(Monitoring.METRIC_DRIFT_ALARM)
                        .dimensionsMap(Map.of(Monitoring.DIMENSION_ENDPOINT, props.endpointName()))
                        .statistic("Maximum").period(Duration.hours(1)).build())
                .threshold(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        driftAlarm.addAlarmAction(new SnsAction(props.alarmTopic()));
        driftAlarm.addOkAction(new SnsAction(props.alarmTopic()));
        launchErrors = Alarm.Builder.create(this, "LaunchErrors")
                .alarmName(props.endpointName() + "-drift-monitor-errors")
                .alarmDescription("The drift monitor of " + props.endpointName() + " could not start its job (see the Launch function's logs)")
                .metric(launch.function().metricErrors(software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                        .period(Duration.hours(1)).statistic("Sum").build()))
                .threshold(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        launchErrors.addAlarmAction(new SnsAction(props.alarmTopic()));

        // A job that started and then failed publishes no metric: SageMaker's "Processing Job State Change" event
        // ("Events that Amazon SageMaker AI sends to Amazon EventBridge") tells the topic instead. The target adds no
        // topic policy of its own (CDK's SnsTopic target would add an unconditioned one): the topic's owner admits
        // EventBridge rules of this account once (ApprovalTopic#allowEventBridgeRules).
        String jobPrefix = prefix + "-monitor-";
        String topicArn = props.alarmTopic().getTopicArn();
        RuleTargetInput message = RuleTargetInput.fromText("The drift monitor job " + EventField.fromPath("$.detail.ProcessingJobName")
                + " of " + props.endpointName() + " failed at " + EventField.getTime() + ": no drift was judged for its hour."
                + " See aws sagemaker describe-processing-job --processing-job-name " + EventField.fromPath("$.detail.ProcessingJobName")
                + " (FailureReason, ExitMessage), the log group /aws/sagemaker/ProcessingJobs, and docs/runbook.md,"
                + " \"When the drift alarm fires\", step 5.");
        IRuleTarget toTopic = new IRuleTarget() {
            @Override
            public RuleTargetConfig bind(IRuleRef rule, String targetId) {
                return RuleTargetConfig.builder().arn(topicArn).input(message).build();
            }

            @Override
            public RuleTargetConfig bind(IRuleRef rule) {
                return bind(rule, null);
            }
        };
        jobFailed = Rule.Builder.create(this, "JobFailedRule")
                .description("Notifies the alarm topic when a drift monitor job of " + props.endpointName() + " fails")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.sagemaker"))
                        .detailType(List.of("SageMaker Processing Job State Change"))
                        .detail(Map.of("ProcessingJobStatus", List.of("Failed"),
                                "ProcessingJobName", Match.prefix(jobPrefix)))
                        .build())
                .targets(List.of(toTopic))
                .build();

        if (props.pipeline() != null) {
            retrain = new JavaFunction(this, "Retrain", JavaFunctionProps.builder()
                    .code(props.handlerCode()).handler(Handler.RETRAIN_ON_DRIFT.className())
                    .description("Starts the pipeline when the drift alarm fires, at most once per "
                            + props.retrainMinIntervalHours() + " h")
                    .memoryMb(512).timeout(Duration.minutes(1))
                    .environment(Map.of(EnvNames.PIPELINE_NAME, props.pipeline().getPipelineName(),
                            EnvNames.RETRAIN_MIN_INTERVAL_HOURS, Integer.toString(props.retrainMinIntervalHours())))
                    .logKey(storage.key()).logRetention(props.logRetention()).logRemoval(props.logRemoval())
                    .build());
            retrain.allow(List.of("codepipeline:ListPipelineExecutions", "codepipeline:StartPipelineExecution"),
                    List.of(props.pipeline().getPipelineArn()));
            Rule.Builder.create(this, "RetrainOnDriftRule")
                    .description("Starts a retrain when " + props.endpointName() + "-drift enters ALARM (rate-limited by the function)")
                    .eventPattern(EventPattern.builder()
                            .source(List.of("aws.cloudwatch"))
                            .detailType(List.of("CloudWatch Alarm State Change"))
                            .resources(List.of(driftAlarm.getAlarmArn()))
                            .detail(Map.of("state", Map.of("value", List.of("ALARM"))))
                            .build())
                    .targets(List.of(LambdaFunction.Builder.create(retrain.function()).retryAttempts(2).build()))
                    .build();
        } else {
            retrain = null;
        }
    }

    private static String sagemakerArn(Stack stack, String resource, String name) {
        return stack.formatArn(ArnComponents.builder().service("sagemaker").resource(resource)
                .resourceName(name.toLowerCase(Locale.ROOT)).build());
    }

    /** Lets {@code grantee} read the monitor's reports (e.g. a dashboard or a person's role). */
    public Grant grantReadReports(IGrantable grantee) {
        storage.grantKeyUse(grantee, false);
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("s3:GetObject"))
                .resourceArns(List.of(storage.artifactBucket().arnForObjects(outputPrefix + "*")))
                .build());
    }

    public Role jobRole() { return jobRole; }
    public JavaFunction launch() { return launch; }
    public Schedule schedule() { return schedule; }
    public Alarm driftAlarm() { return driftAlarm; }
    public Alarm launchErrors() { return launchErrors; }
    /** The rule that notifies the topic of a failed monitor job. */
    public Rule jobFailedRule() { return jobFailed; }
    /** The retrain function, or null when retrain on drift is off. */
    public JavaFunction retrain() { return retrain; }
}
