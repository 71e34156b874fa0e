package io.mlops.infra.constructs;

import io.mlops.contract.Artifacts;
import io.mlops.contract.RunPaths;
import io.mlops.contract.actions.ActionInput;
import io.mlops.contract.actions.ApproveModel;
import io.mlops.contract.actions.EndpointTest;
import io.mlops.contract.actions.Evaluate;
import io.mlops.contract.actions.LaunchEtl;
import io.mlops.contract.actions.LaunchTraining;
import io.mlops.contract.actions.MonitorEtl;
import io.mlops.contract.actions.MonitorTraining;
import io.mlops.contract.actions.VerifyEndpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codecommit.IRepository;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.Condition;
import software.amazon.awscdk.services.codepipeline.Conditions;
import software.amazon.awscdk.services.codepipeline.FailureConditions;
import software.amazon.awscdk.services.codepipeline.Result;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.IAction;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.GitConfiguration;
import software.amazon.awscdk.services.codepipeline.GitPushFilter;
import software.amazon.awscdk.services.codepipeline.ProviderType;
import software.amazon.awscdk.services.codepipeline.TriggerProps;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.CloudFormationCreateUpdateStackAction;
import software.amazon.awscdk.services.codepipeline.actions.CloudFormationDeleteStackAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeStarConnectionsSourceAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeCommitSourceAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeCommitTrigger;
import software.amazon.awscdk.services.codepipeline.actions.LambdaInvokeAction;
import software.amazon.awscdk.services.codepipeline.actions.ManualApprovalAction;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3Trigger;
import software.amazon.awscdk.services.codepipeline.actions.StateMachineInput;
import software.amazon.awscdk.services.codepipeline.actions.StepFunctionInvokeAction;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.CodePipeline;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The CodePipeline (V2) that takes a commit or a dataset upload to PRD:
 * Source → Build → ETL → Train → Evaluate → DeployDev → SystemTest → Approve → ApproveModel → DeployPrd.
 * DeployDev and DeployPrd each end with a Verify action (the endpoint serves this execution's config and model);
 * DeployPrd rolls back on failure and bakes on the PRD rollback alarms before it succeeds.
 * Actions hand values on as output variables (namespaces {@value #SOURCE_NS}, {@value #BUILD_NS},
 * {@value #ETL_LAUNCH_NS}, {@value #ETL_MONITOR_NS}, {@value #TRAIN_LAUNCH_NS}, {@value #TRAIN_MONITOR_NS},
 * {@value #EVALUATE_NS}). Triggers: pushes to the branch (CodeCommit source, EventBridge; or, with a
 * {@link ConnectionSource}, a V2 pipeline trigger on the branch and file paths) and objects created under
 * {@code datasets/} in the data bucket (EventBridge rule, no CloudTrail). With
 * {@code deleteDevAfterApproval}, a {@value #DELETE_DEV_STAGE} stage after ApproveModel deletes the DEV stack.
 */
public final class MlopsPipeline extends Construct {
    public static final String SOURCE_NS = "SourceVariables";
    public static final String BUILD_NS = "BuildVariables";
    public static final String ETL_LAUNCH_NS = "EtlLaunch";
    public static final String ETL_MONITOR_NS = "EtlMonitor";
    public static final String TRAIN_LAUNCH_NS = "TrainLaunch";
    public static final String TRAIN_MONITOR_NS = "TrainMonitor";
    public static final String EVALUATE_NS = "Evaluate";
    public static final String EXECUTION_ID = "#{codepipeline.PipelineExecutionId}";
    public static final String VERIFY_DEV_NS = "VerifyDev";
    public static final String VERIFY_PRD_NS = "VerifyPrd";
    /** The variants the endpoint templates create and their weights (one variant, all traffic). */
    public static final Map<String, Double> VARIANT_WEIGHTS = Map.of(ModelEndpoint.VARIANT, 1.0);
    /**
     * How long DeployPrd watches the PRD rollback alarms before it succeeds (CloudWatchAlarm rule WaitTime, in
     * minutes): an alarm in ALARM within this time rolls the stage back to the last successful execution.
     */
    public static final int PRD_ALARM_BAKE_MINUTES = 15;
    public static final List<String> STAGES = List.of("Source", "Build", "ETL", "Train", "Evaluate", "DeployDev",
            "SystemTest", "Approve", "ApproveModel", "DeployPrd");


    /** The optional stage after ApproveModel that deletes the DEV endpoint stack. */
    public static final String DELETE_DEV_STAGE = "DeleteDev";

    /**
     * A Git repository (GitHub, GitLab, Bitbucket) through an AWS CodeConnections connection: the pipeline starts on
     * pushes to the branch that change one of {@code filePaths} (CodePipeline V2 trigger, push filter).
     */
    public record ConnectionSource(String connectionArn, String owner, String repo, List<String> filePaths) {
        public ConnectionSource {
            filePaths = List.copyOf(filePaths);
        }
    }

    private final Pipeline pipeline;
    private final Rule datasetRule;

    public MlopsPipeline(Construct scope, String id, MlopsPipelineProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        PipelineStorage storage = props.storage();
        String bucket = storage.artifactBucket().getBucketName();
        Artifact source = new Artifact(Artifacts.SOURCE_OUTPUT);
        Artifact templates = new Artifact("EndpointTemplates");

        pipeline = Pipeline.Builder.create(this, "Pipeline")
                .pipelineName(props.pipelineName())
                .pipelineType(PipelineType.V2)
                .executionMode(ExecutionMode.SUPERSEDED)
                .artifactBucket(storage.artifactBucket())
                .restartExecutionOnUpdate(false)
                .build();

        IAction sourceAction = sourceAction(props, source);
        pipeline.addStage(stage("Source",
                sourceAction,
                S3SourceAction.Builder.create()
                        .actionName("EndpointTemplates").bucket(storage.artifactBucket()).bucketKey(props.templatesKey())
                        .output(templates).trigger(S3Trigger.NONE).build()));
        if (props.connection() != null) {
            // V2 trigger: "When a trigger configuration is specified, default change detection for repository and
            // branch commits is disabled" (CodePipeline API Reference, PipelineTriggerDeclaration).
            pipeline.addTrigger(TriggerProps.builder()
                    .providerType(ProviderType.CODE_STAR_SOURCE_CONNECTION)
                    .gitConfiguration(GitConfiguration.builder()
                            .sourceAction(sourceAction)
                            .pushFilter(List.of(GitPushFilter.builder()
                                    .branchesIncludes(List.of(props.branch()))
                                    .filePathsIncludes(props.connection().filePaths())
                                    .build()))
                            .build())
                    .build());
            // CDK grants codestar-connections:UseConnection; connections created since 2024 have codeconnections
            // ARNs and the codeconnections service prefix (CodePipeline user guide, CodeConnections source action).
            ((Role) actionRole("Source", "Source")).addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("codeconnections:UseConnection"))
                    .resources(List.of(props.connection().connectionArn()))
                    .build());
        }

        pipeline.addStage(stage("Build",
                CodeBuildAction.Builder.create()
                        .actionName("Build").project(props.imageBuild().project()).input(source)
                        .variablesNamespace(BUILD_NS)
                        .environmentVariables(Map.of("COMMIT_ID",
                                BuildEnvironmentVariable.builder().value("#{" + SOURCE_NS + ".CommitId}").build()))
                        .build()));

        PipelineHandlers h = props.handlers();
        String commit = "#{" + SOURCE_NS + ".CommitId}";
        String image = "#{" + BUILD_NS + ".IMAGE_URI}";
        pipeline.addStage(stage("ETL",
                lambda("Launch", h.launchEtl(), ETL_LAUNCH_NS, 1, List.of(source),
                        new LaunchEtl.Input(EXECUTION_ID, commit, "#{" + BUILD_NS + ".ETL_JAR_URI}", null, null, null)),
                lambda("Monitor", h.monitorEtl(), ETL_MONITOR_NS, 2, List.of(),
                        new MonitorEtl.Input(EXECUTION_ID, LaunchEtl.Output.JobRunId.ref(ETL_LAUNCH_NS)))));

        pipeline.addStage(stage("Train",
                lambda("Launch", h.launchTraining(), TRAIN_LAUNCH_NS, 1, List.of(source),
                        new LaunchTraining.Input(EXECUTION_ID, commit, image, null, null)),
                lambda("Monitor", h.monitorTraining(), TRAIN_MONITOR_NS, 2, List.of(),
                        new MonitorTraining.Input(LaunchTraining.Output.TrainingJobName.ref(TRAIN_LAUNCH_NS)))));

        pipeline.addStage(stage("Evaluate",
                lambda("Evaluate", h.evaluate(), EVALUATE_NS, 1, List.of(source),
                        new Evaluate.Input(EXECUTION_ID, commit, image, MonitorTraining.Output.ModelDataUrl.ref(TRAIN_MONITOR_NS),
                                MonitorEtl.Output.DatasetSha256.ref(ETL_MONITOR_NS), null, null))));

        Map<String, Object> common = new LinkedHashMap<>();
        common.put(EndpointTemplateContract.MODEL_PACKAGE_ARN, Evaluate.Output.ModelPackageArn.ref(EVALUATE_NS));
        common.put(EndpointTemplateContract.EXECUTION_ID, EXECUTION_ID);
        common.put(EndpointTemplateContract.MODEL_ROLE_ARN, props.hostingRole().role().getRoleArn());
        common.put(EndpointTemplateContract.KMS_KEY_ARN, storage.key().getKeyArn());
        // DEV serves the package's image and model data, so it does not depend on the package's approval (ADR 0103).
        Map<String, Object> dev = new LinkedHashMap<>(common);
        dev.put(EndpointTemplateContract.MODEL_IMAGE_URI, Evaluate.Output.ModelImageUri.ref(EVALUATE_NS));
        dev.put(EndpointTemplateContract.MODEL_DATA_URL, Evaluate.Output.ModelDataUrl.ref(EVALUATE_NS));
        if (props.devServerless()) {
            dev.remove(EndpointTemplateContract.KMS_KEY_ARN); // the serverless DEV template has no key parameter
        }
        pipeline.addStage(stage("DeployDev",
                CloudFormationCreateUpdateStackAction.Builder.create()
                        .actionName("Deploy").stackName(props.devStackName())
                        .templatePath(templates.atPath(EndpointTemplateContract.DEV_TEMPLATE))
                        .adminPermissions(false).deploymentRole(props.deployRole().role())
                        .parameterOverrides(dev).replaceOnFailure(true)
                        .variablesNamespace("DeployDev").build(),
                lambda("Verify", h.verifyEndpoint(), VERIFY_DEV_NS, 2, List.of(),
                        new VerifyEndpoint.Input(VerifyEndpoint.DEV, props.devEndpointName(), EXECUTION_ID,
                                versioned(props.devEndpointName()), versioned(props.devEndpointName()),
                                ev(Evaluate.Output.ModelPackageArn), ev(Evaluate.Output.ModelImageUri),
                                ev(Evaluate.Output.ModelDataUrl), VARIANT_WEIGHTS))));

        EndpointTest input = new EndpointTest(props.devEndpointName(),
                RunPaths.s3Uri(bucket, RunPaths.etlSplit(EXECUTION_ID, "test")), RunPaths.s3Uri(bucket, RunPaths.systemTest(EXECUTION_ID)),
                EXECUTION_ID, props.minRocAuc(), props.maxP99Millis(), null, props.maxRows());
        pipeline.addStage(stage("SystemTest",
                StepFunctionInvokeAction.Builder.create()
                        .actionName("SystemTest").stateMachine(props.systemTest())
                        .stateMachineInput(StateMachineInput.literal(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(input.userParameters())))
                        .executionNamePrefix("system-test").variablesNamespace("SystemTest").build()));

        pipeline.addStage(stage("Approve",
                ManualApprovalAction.Builder.create()
                        .actionName("Approve")
                        .notificationTopic(props.approvalTopic())
                        .notifyEmails(props.approvalEmails())
                        .additionalInformation("Candidate " + ev(Evaluate.Output.GateMetric) + " "
                                + ev(Evaluate.Output.GateValue) + " vs champion " + ev(Evaluate.Output.ChampionValue)
                                + " (threshold " + ev(Evaluate.Output.GateThreshold) + "); passed DEV system test. "
                                + ev(Evaluate.Output.MetricsSummary))
                        .externalEntityLink("https://" + stack.getRegion() + ".console.aws.amazon.com/sagemaker/home?region="
                                + stack.getRegion() + "#/endpoints/" + props.devEndpointName())
                        .timeout(Duration.days(7))
                        .build()));

        pipeline.addStage(stage("ApproveModel",
                lambda("ApproveModel", h.approveModel(), "ApproveModel", 1, List.of(),
                        new ApproveModel.Input(ev(Evaluate.Output.ModelPackageArn), EXECUTION_ID))));

        if (props.deleteDevAfterApproval()) {
            // DEV costs nothing once deleted; the next execution's DeployDev creates it again.
            pipeline.addStage(stage(DELETE_DEV_STAGE,
                    CloudFormationDeleteStackAction.Builder.create()
                            .actionName("Delete").stackName(props.devStackName())
                            .adminPermissions(false).deploymentRole(props.deployRole().role())
                            .build()));
        }

        Map<String, Object> prd = new LinkedHashMap<>(common);
        prd.put(EndpointTemplateContract.DATA_CAPTURE_URI, "s3://" + bucket + "/" + props.dataCapturePrefix());
        prd.put(EndpointTemplateContract.ALARM_TOPIC_ARN, props.approvalTopic().getTopicArn());
        // DeployPrd: deploy, verify (runOrder 2), then before the stage succeeds a bake on the PRD rollback alarms
        // (OnSuccess condition, CloudWatchAlarm rules); a failed action or an alarm in ALARM during the bake rolls the
        // stage back to its last successful execution (Result ROLLBACK; CodePipeline V2 stage conditions).
        List<software.amazon.awscdk.services.codepipeline.Rule> bake = new ArrayList<>();
        for (String alarm : ModelEndpoint.alarmNames(props.prdEndpointName())) {
            bake.add(software.amazon.awscdk.services.codepipeline.Rule.Builder.create()
                    .name(alarm.substring(props.prdEndpointName().length() + 1).replace("-", "") + "AlarmBake")
                    .provider("CloudWatchAlarm").version("1")
                    .configuration(alarmRuleConfiguration(alarm, PRD_ALARM_BAKE_MINUTES))
                    .build());
        }
        pipeline.addStage(StageOptions.builder().stageName("DeployPrd")
                .actions(List.of(
                        CloudFormationCreateUpdateStackAction.Builder.create()
                                .actionName("Deploy").stackName(props.prdStackName())
                                .templatePath(templates.atPath(EndpointTemplateContract.PRD_TEMPLATE))
                                .adminPermissions(false).deploymentRole(props.deployRole().role())
                                .parameterOverrides(prd)
                                .variablesNamespace("DeployPrd").build(),
                        lambda("Verify", h.verifyEndpoint(), VERIFY_PRD_NS, 2, List.of(),
                                new VerifyEndpoint.Input(VerifyEndpoint.PRD, props.prdEndpointName(), EXECUTION_ID,
                                        versioned(props.prdEndpointName()), versioned(props.prdEndpointName()),
                                        ev(Evaluate.Output.ModelPackageArn), null, null, VARIANT_WEIGHTS))))
                .onFailure(FailureConditions.builder().result(Result.ROLLBACK).build())
                .onSuccess(Conditions.builder().conditions(List.of(Condition.builder()
                        .result(Result.ROLLBACK).rules(bake).build())).build())
                .build());
        // The CloudWatchAlarm rules run as the pipeline's role (CodePipeline rule reference, CloudWatchAlarm).
        role().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("PrdAlarmBake")
                .actions(List.of("cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"))
                .resources(ModelEndpoint.alarmNames(props.prdEndpointName()).stream()
                        .map(a -> stack.formatArn(software.amazon.awscdk.ArnComponents.builder().service("cloudwatch")
                                .resource("alarm").resourceName(a)
                                .arnFormat(software.amazon.awscdk.ArnFormat.COLON_RESOURCE_NAME).build()))
                        .toList())
                .build());

        datasetRule = Rule.Builder.create(this, "DatasetUploaded")
                .description("Runs the pipeline when a dataset lands under datasets/ in the data bucket")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.s3"))
                        .detailType(List.of("Object Created"))
                        .detail(Map.of(
                                "bucket", Map.of("name", List.of(storage.dataBucket().getBucketName())),
                                "object", Map.of("key", List.of(Map.of("prefix", RunPaths.DATASETS_PREFIX)))))
                        .build())
                .targets(List.of(new CodePipeline(pipeline)))
                .build();
        // CDK's CloudFormation action lets its action role pass the deployment role without a condition;
        // limit it to CloudFormation (iam:PassedToService) with an explicit deny.
        List<String[]> cloudFormationActions = new ArrayList<>(List.of(new String[] {"DeployDev", "Deploy"},
                new String[] {"DeployPrd", "Deploy"}));
        if (props.deleteDevAfterApproval()) {
            cloudFormationActions.add(new String[] {DELETE_DEV_STAGE, "Delete"});
        }
        for (String[] action : cloudFormationActions) {
            ((Role) actionRole(action[0], action[1])).addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .sid("PassDeploymentRoleOnlyToCloudFormation")
                    .effect(Effect.DENY)
                    .actions(List.of("iam:PassRole"))
                    .resources(List.of(props.deployRole().role().getRoleArn()))
                    .conditions(Map.of("StringNotEquals", Map.of("iam:PassedToService", "cloudformation.amazonaws.com")))
                    .build());
        }
    }

    private static IAction sourceAction(MlopsPipelineProps props, Artifact output) {
        ConnectionSource c = props.connection();
        if (c == null) {
            return CodeCommitSourceAction.Builder.create()
                    .actionName("Source").repository(props.repository()).branch(props.branch())
                    .output(output).variablesNamespace(SOURCE_NS).trigger(CodeCommitTrigger.EVENTS).build();
        }
        return CodeStarConnectionsSourceAction.Builder.create()
                .actionName("Source").connectionArn(c.connectionArn()).owner(c.owner()).repo(c.repo())
                .branch(props.branch()).output(output).variablesNamespace(SOURCE_NS).build();
    }

    /** The role CDK generated for one action ({@code stage}/{@code action}); cdk-nag findings on it are acknowledged in validation. */
    public IConstruct actionRole(String stage, String action) {
        return pipeline.getNode().findChild(stage).getNode().findChild(action).getNode().findChild("CodePipelineActionRole");
    }

    /** {@code <endpoint>-<execution id>}: how the endpoint templates name this execution's model and config. */
    private static String versioned(String endpointName) {
        return endpointName + "-" + EXECUTION_ID;
    }

    /** CloudWatchAlarm rule configuration (CodePipeline rule reference): AlarmName, AlarmStates, WaitTime (minutes). */
    private static com.fasterxml.jackson.databind.node.ObjectNode alarmRuleConfiguration(String alarmName, int waitMinutes) {
        com.fasterxml.jackson.databind.node.ObjectNode c = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        c.put("AlarmName", alarmName);
        c.put("AlarmStates", "ALARM");
        c.put("WaitTime", Integer.toString(waitMinutes));
        return c;
    }

    private static StageOptions stage(String name, IAction... actions) {
        return StageOptions.builder().stageName(name).actions(List.of(actions)).build();
    }

    private static String ev(Evaluate.Output variable) {
        return variable.ref(EVALUATE_NS);
    }

    private static LambdaInvokeAction lambda(String name, JavaFunction f, String namespace, int runOrder,
            List<Artifact> inputs, ActionInput userParameters) {
        return LambdaInvokeAction.Builder.create()
                .actionName(name).lambda(f.function()).variablesNamespace(namespace).runOrder(runOrder)
                .inputs(new ArrayList<>(inputs)).userParameters(userParameters.userParameters()).build();
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public Rule datasetRule() {
        return datasetRule;
    }

    /** Role of the pipeline itself (assumes the per-action roles). */
    public Role role() {
        return (Role) pipeline.getRole();
    }
}
