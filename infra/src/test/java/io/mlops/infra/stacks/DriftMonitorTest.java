package io.mlops.infra.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.contract.Handler;
import io.mlops.contract.Monitoring;
import io.mlops.infra.MlopsApp;
import io.mlops.infra.TestApps;
import io.mlops.infra.config.MlopsConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The PRD drift monitor in the pipeline stack (issue 12, ADR 0105): schedule, job role, alarms, retrain switch. */
class DriftMonitorTest {
    private static Template template;

    @BeforeAll
    static void synth() {
        template = Template.fromStack(TestApps.gatedStack());
    }

    private static Template synth(Map<String, Object> context) {
        App app = TestApps.app(context);
        // true: cdk-nag and cfn-guard gate this variant too (MlopsApp.build fails on an unacknowledged finding).
        PipelineStack stack = MlopsApp.build(app, TestApps.assets(), true);
        app.synth();
        return Template.fromStack(stack);
    }

    @Test
    void anHourlyScheduleInvokesTheLauncherWithTheScheduledTime() {
        template.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "cron(10 * * * ? *)",
                "State", "ENABLED",
                "FlexibleTimeWindow", Map.of("Mode", "OFF"),
                "Target", Match.objectLike(Map.of(
                        "Input", Match.serializedJson(Map.of("scheduledTime", "<aws.scheduler.scheduled-time>")),
                        "RetryPolicy", Map.of("MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 2))))));
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", Handler.LAUNCH_MONITOR.className(),
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "MONITOR_ENDPOINT_NAME", "mlops-prd",
                        "MONITOR_CAPTURE_PREFIX", PipelineStack.DATA_CAPTURE_PREFIX,
                        "MONITOR_OUTPUT_PREFIX", "monitoring/",
                        "MONITOR_INSTANCE_TYPE", "ml.t3.medium",
                        "MONITOR_NAMESPACE", Monitoring.DEFAULT_NAMESPACE))))));
    }

    @Test
    void theJobRoleReadsCaptureWritesReportsAndPublishesOnlyToItsNamespace() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "s3:GetObject", "Resource",
                                Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(Match.arrayWith(List.of(
                                        "/" + PipelineStack.DATA_CAPTURE_PREFIX + "*")))))))),
                        Match.objectLike(Map.of("Action", List.of("s3:AbortMultipartUpload", "s3:PutObject"))),
                        Match.objectLike(Map.of("Action", "cloudwatch:PutMetricData", "Effect", "Allow", "Resource", "*",
                                "Condition", Map.of("StringEquals", Map.of("cloudwatch:namespace", Monitoring.DEFAULT_NAMESPACE))))))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("DriftMonitorJobRole.*"))))));
        // The launcher passes the job role only to SageMaker and creates only monitor jobs.
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "sagemaker:CreateProcessingJob", "Resource",
                                Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(Match.arrayWith(List.of(
                                        ":processing-job/mlops-monitor-*")))))))),
                        Match.objectLike(Map.of("Action", "iam:PassRole",
                                "Condition", Map.of("StringEquals", Map.of("iam:PassedToService", "sagemaker.amazonaws.com"))))))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("DriftMonitorLaunchRole.*"))))));
    }

    @Test
    void theDriftAlarmAndTheLauncherErrorsNotifyTheTopic() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "AlarmName", "mlops-prd-drift",
                "Namespace", Monitoring.DEFAULT_NAMESPACE,
                "MetricName", Monitoring.METRIC_DRIFT_ALARM,
                "Dimensions", List.of(Map.of("Name", Monitoring.DIMENSION_ENDPOINT, "Value", "mlops-prd")),
                "Statistic", "Maximum", "Period", 3600, "Threshold", 1,
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "TreatMissingData", "notBreaching",
                "AlarmActions", List.of(Map.of("Ref", Match.stringLikeRegexp("ApprovalTopic.*"))))));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "AlarmName", "mlops-prd-drift-monitor-errors", "MetricName", "Errors",
                "AlarmActions", List.of(Map.of("Ref", Match.stringLikeRegexp("ApprovalTopic.*"))))));
    }

    @Test
    void aMonitorJobThatFailsNotifiesTheTopicThroughEventBridge() {
        template.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                "State", "ENABLED",
                "EventPattern", Map.of(
                        "source", List.of("aws.sagemaker"),
                        "detail-type", List.of("SageMaker Processing Job State Change"),
                        "detail", Map.of("ProcessingJobStatus", List.of("Failed"),
                                "ProcessingJobName", List.of(Map.of("prefix", "mlops-monitor-")))),
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Ref", Match.stringLikeRegexp("ApprovalTopic.*")),
                        "InputTransformer", Match.objectLike(Map.of(
                                "InputPathsMap", Match.objectLike(Map.of("detail-ProcessingJobName", "$.detail.ProcessingJobName")),
                                "InputTemplate", Match.stringLikeRegexp(".*drift monitor job <detail-ProcessingJobName> of mlops-prd failed.*")))))))));
        // EventBridge may publish to the KMS-encrypted topic: topic policy (this account only) and the key's policy.
        template.hasResourceProperties("AWS::SNS::TopicPolicy", statement(Map.of(
                "Sid", "AllowEventBridgeRules", "Effect", "Allow", "Action", "sns:Publish",
                "Principal", Map.of("Service", "events.amazonaws.com"),
                "Condition", Map.of("StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId"))))));
        template.hasResourceProperties("AWS::KMS::Key", Match.objectLike(Map.of("KeyPolicy", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", List.of("kms:Decrypt", "kms:GenerateDataKey"),
                        "Principal", Map.of("Service", Match.arrayWith(List.of("events.amazonaws.com"))))))))))));
        // no second, unconditioned publish statement (CDK's SnsTopic target would add one)
        template.resourcePropertiesCountIs("AWS::SNS::TopicPolicy", statement(Map.of(
                "Principal", Map.of("Service", "events.amazonaws.com"), "Condition", Match.absent())), 0);
    }

    private static Object statement(Map<String, Object> fields) {
        return Match.objectLike(Map.of("PolicyDocument", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(fields)))))));
    }

    @Test
    void retrainOnDriftIsOffByDefault() {
        template.resourcePropertiesCountIs("AWS::Lambda::Function",
                Match.objectLike(Map.of("Handler", Handler.RETRAIN_ON_DRIFT.className())), 0);
        template.resourcePropertiesCountIs("AWS::Events::Rule",
                Match.objectLike(Map.of("EventPattern", Match.objectLike(Map.of("source", List.of("aws.cloudwatch"))))), 0);
    }

    @Test
    void retrainOnDriftStartsThePipelineFromTheAlarmsStateChange() {
        Template t = synth(Map.of(MlopsConfig.Keys.MONITOR_RETRAIN_ON_DRIFT, true, MlopsConfig.Keys.MONITOR_RETRAIN_MIN_INTERVAL_HOURS, 12));

        t.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                "State", "ENABLED",
                "EventPattern", Map.of(
                        "source", List.of("aws.cloudwatch"),
                        "detail-type", List.of("CloudWatch Alarm State Change"),
                        "resources", List.of(Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("DriftMonitorDriftAlarm.*"), "Arn"))),
                        "detail", Map.of("state", Map.of("value", List.of("ALARM")))),
                "Targets", List.of(Match.objectLike(Map.of("RetryPolicy", Map.of("MaximumRetryAttempts", 2)))))));
        t.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", Handler.RETRAIN_ON_DRIFT.className(),
                "Environment", Map.of("Variables", Match.objectLike(Map.of("RETRAIN_MIN_INTERVAL_HOURS", "12",
                        "PIPELINE_NAME", Match.anyValue()))))));
        t.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", List.of("codepipeline:ListPipelineExecutions", "codepipeline:StartPipelineExecution")))))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("DriftMonitorRetrainRole.*"))))));
    }

    @Test
    void theMonitorCanBeSwitchedOff() {
        Template t = synth(Map.of(MlopsConfig.Keys.MONITOR_ENABLED, false));

        t.resourceCountIs("AWS::Scheduler::Schedule", 0);
        t.resourcePropertiesCountIs("AWS::Events::Rule",
                Match.objectLike(Map.of("EventPattern", Match.objectLike(Map.of("source", List.of("aws.sagemaker"))))), 0);
        t.resourcePropertiesCountIs("AWS::SNS::TopicPolicy", statement(Map.of("Sid", "AllowEventBridgeRules")), 0);
        t.resourcePropertiesCountIs("AWS::CloudWatch::Alarm", Match.objectLike(Map.of("AlarmName", "mlops-prd-drift")), 0);
    }

    @Test
    void failsOnBadMonitorSettingsWithTheKeyAndTheFix() {
        assertThatThrownBy(() -> MlopsConfig.from(Map.<String, Object>of(
                MlopsConfig.Keys.MONITOR_SCHEDULE, "every hour",
                MlopsConfig.Keys.MONITOR_NAMESPACE, "AWS/SageMaker",
                MlopsConfig.Keys.MONITOR_RETRAIN_ON_DRIFT, "yes",
                MlopsConfig.Keys.MONITOR_RETRAIN_MIN_INTERVAL_HOURS, 0)::get,
                java.util.Set.of(MlopsConfig.Keys.MONITOR_SCHEDULE, MlopsConfig.Keys.MONITOR_NAMESPACE,
                        MlopsConfig.Keys.MONITOR_RETRAIN_ON_DRIFT, MlopsConfig.Keys.MONITOR_RETRAIN_MIN_INTERVAL_HOURS)))
                .isInstanceOfSatisfying(MlopsConfig.InvalidConfigException.class, e -> assertThat(e.problems()).satisfiesExactlyInAnyOrder(
                        p -> assertThat(p).contains("mlops:monitor:schedule = \"every hour\"").contains("rate(1 hour)"),
                        p -> assertThat(p).contains("mlops:monitor:namespace = \"AWS/SageMaker\"").contains("not starting with AWS/"),
                        p -> assertThat(p).contains("mlops:monitor:retrainOnDrift = \"yes\"").contains("true or false"),
                        p -> assertThat(p).contains("mlops:monitor:retrainMinIntervalHours = 0")));
    }
}
