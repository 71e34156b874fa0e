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
import io.mlops.infra.stacks.EndpointStack;
import io.mlops.infra.stacks.EndpointTemplates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codecommit.IRepository;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.IAction;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.CloudFormationCreateUpdateStackAction;
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
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The CodePipeline (V2) that takes a commit or a dataset upload to PRD:
 * Source → Build → ETL → Train → Evaluate → DeployDev → SystemTest → Approve → ApproveModel → DeployPrd.
 * Actions hand values on as output variables (namespaces {@value #SOURCE_NS}, {@value #BUILD_NS},
 * {@value #ETL_LAUNCH_NS}, {@value #ETL_MONITOR_NS}, {@value #TRAIN_LAUNCH_NS}, {@value #TRAIN_MONITOR_NS},
 * {@value #EVALUATE_NS}). Triggers: pushes to the branch (CodeCommit source, EventBridge) and objects
 * created under {@code datasets/} in the data bucket (EventBridge rule, no CloudTrail).
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
    /** Name of the source artifact; the handlers' {@code sourceArtifact} default. */
    public static final String SOURCE_ARTIFACT = Artifacts.SOURCE_OUTPUT;
    public static final List<String> STAGES = List.of("Source", "Build", "ETL", "Train", "Evaluate", "DeployDev",
            "SystemTest", "Approve", "ApproveModel", "DeployPrd");

    /** Properties (everything the stages wire together). */
    public record Props(String pipelineName, IRepository repository, String branch, PipelineStorage storage,
            ImageBuild imageBuild, PipelineHandlers handlers, IStateMachine systemTest, String devEndpointName,
            double minRocAuc, int maxP99Millis, int maxRows, ITopic approvalTopic, List<String> approvalEmails,
            String templatesKey, EndpointDeployRole deployRole, SageMakerJobRole hostingRole, String devStackName,
            String prdStackName, String dataCapturePrefix) {
    }

    private final Pipeline pipeline;
    private final Rule datasetRule;

    public MlopsPipeline(Construct scope, String id, Props props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        PipelineStorage storage = props.storage();
        String bucket = storage.artifactBucket().getBucketName();
        Artifact source = new Artifact(SOURCE_ARTIFACT);
        Artifact templates = new Artifact("EndpointTemplates");

        pipeline = Pipeline.Builder.create(this, "Pipeline")
                .pipelineName(props.pipelineName())
                .pipelineType(PipelineType.V2)
                .executionMode(ExecutionMode.SUPERSEDED)
                .artifactBucket(storage.artifactBucket())
                .restartExecutionOnUpdate(false)
                .build();

        pipeline.addStage(stage("Source",
                CodeCommitSourceAction.Builder.create()
                        .actionName("Source").repository(props.repository()).branch(props.branch())
                        .output(source).variablesNamespace(SOURCE_NS).trigger(CodeCommitTrigger.EVENTS).build(),
                S3SourceAction.Builder.create()
                        .actionName("EndpointTemplates").bucket(storage.artifactBucket()).bucketKey(props.templatesKey())
                        .output(templates).trigger(S3Trigger.NONE).build()));

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
        common.put(EndpointStack.MODEL_PACKAGE_ARN, Evaluate.Output.ModelPackageArn.ref(EVALUATE_NS));
        common.put(EndpointStack.EXECUTION_ID, EXECUTION_ID);
        common.put(EndpointStack.MODEL_ROLE_ARN, props.hostingRole().role().getRoleArn());
        common.put(EndpointStack.KMS_KEY_ARN, storage.key().getKeyArn());
        // DEV serves the package's image and model data, so it does not depend on the package's approval (ADR 0103).
        Map<String, Object> dev = new LinkedHashMap<>(common);
        dev.put(EndpointStack.MODEL_IMAGE_URI, Evaluate.Output.ModelImageUri.ref(EVALUATE_NS));
        dev.put(EndpointStack.MODEL_DATA_URL, Evaluate.Output.ModelDataUrl.ref(EVALUATE_NS));
        pipeline.addStage(stage("DeployDev",
                CloudFormationCreateUpdateStackAction.Builder.create()
                        .actionName("Deploy").stackName(props.devStackName())
                        .templatePath(templates.atPath(EndpointTemplates.DEV_TEMPLATE))
                        .adminPermissions(false).deploymentRole(props.deployRole().role())
                        .parameterOverrides(dev).replaceOnFailure(true)
                        .variablesNamespace("DeployDev").build()));

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

        Map<String, Object> prd = new LinkedHashMap<>(common);
        prd.put(EndpointStack.DATA_CAPTURE_URI, "s3://" + bucket + "/" + props.dataCapturePrefix());
        prd.put(EndpointStack.ALARM_TOPIC_ARN, props.approvalTopic().getTopicArn());
        pipeline.addStage(stage("DeployPrd",
                CloudFormationCreateUpdateStackAction.Builder.create()
                        .actionName("Deploy").stackName(props.prdStackName())
                        .templatePath(templates.atPath(EndpointTemplates.PRD_TEMPLATE))
                        .adminPermissions(false).deploymentRole(props.deployRole().role())
                        .parameterOverrides(prd)
                        .variablesNamespace("DeployPrd").build()));

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
        for (String stage : List.of("DeployDev", "DeployPrd")) {
            ((Role) actionRole(stage, "Deploy")).addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .sid("PassDeploymentRoleOnlyToCloudFormation")
                    .effect(Effect.DENY)
                    .actions(List.of("iam:PassRole"))
                    .resources(List.of(props.deployRole().role().getRoleArn()))
                    .conditions(Map.of("StringNotEquals", Map.of("iam:PassedToService", "cloudformation.amazonaws.com")))
                    .build());
        }
        acknowledgeGeneratedRoles(storage, h, props.systemTest(), props.devStackName(), props.prdStackName(),
                (IConstruct) props.imageBuild().project().getRole());
    }

    /**
     * Findings on the roles CDK generates for the pipeline and its actions. Each action role gets
     * exactly the grants CDK's action class adds; the reasons say which and why they are wildcards.
     */
    private void acknowledgeGeneratedRoles(PipelineStorage storage, PipelineHandlers h, IStateMachine systemTest,
            String devStack, String prdStack, IConstruct imageBuildRole) {
        String store = NagIds.resource(NagIds.arnOf(storage.artifactBucket()) + "/*");
        String storeReason = "CDK grants CodePipeline roles read/write on the pipeline's own artifact store (this"
                + " bucket and key); artifact object keys are generated per execution.";
        List<String> readActions = List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*");
        List<String> writeActions = List.of("s3:DeleteObject*", "s3:Abort*", "kms:ReEncrypt*", "kms:GenerateDataKey*");
        List<IConstruct> writers = new ArrayList<>(List.of(pipeline.getRole()));
        writers.add(actionRole("Source", "Source"));
        writers.add(actionRole("Source", "EndpointTemplates"));
        for (IConstruct role : writers) {
            Suppress.nag(role, store, storeReason);
            for (String a : readActions) {
                Suppress.nag(role, NagIds.action(a), storeReason);
            }
            for (String a : writeActions) {
                Suppress.nag(role, NagIds.action(a), storeReason);
            }
        }
        String invokeReason = "CDK's LambdaInvokeAction grants lambda:ListFunctions (no resource-level permissions) and"
                + " lambda:InvokeFunction on this one function and its versions (ARN:*).";
        Map<IConstruct, JavaFunction> lambdaActions = new LinkedHashMap<>();
        lambdaActions.put(actionRole("ETL", "Launch"), h.launchEtl());
        lambdaActions.put(actionRole("ETL", "Monitor"), h.monitorEtl());
        lambdaActions.put(actionRole("Train", "Launch"), h.launchTraining());
        lambdaActions.put(actionRole("Train", "Monitor"), h.monitorTraining());
        lambdaActions.put(actionRole("Evaluate", "Evaluate"), h.evaluate());
        lambdaActions.put(actionRole("ApproveModel", "ApproveModel"), h.approveModel());
        for (var e : lambdaActions.entrySet()) {
            Suppress.nag(e.getKey(), NagIds.resource("*"), invokeReason);
            Suppress.nag(e.getKey(), NagIds.resource(NagIds.arnOf(e.getValue().function()) + ":*"), invokeReason);
        }
        String readReason = "CDK grants the action (and the CodeBuild project) read on the pipeline's artifact store to hand it the input artifacts.";
        List<IConstruct> readers = List.of(imageBuildRole, actionRole("ETL", "Launch"), actionRole("Train", "Launch"),
                actionRole("Evaluate", "Evaluate"), actionRole("DeployDev", "Deploy"), actionRole("DeployPrd", "Deploy"));
        for (IConstruct role : readers) {
            Suppress.nag(role, store, readReason);
            for (String a : readActions) {
                Suppress.nag(role, NagIds.action(a), readReason);
            }
        }
        String cfnReason = "CDK's CloudFormation action grants describe/get on the one stack it deploys (stack ARNs end in"
                + " a generated id).";
        for (String[] d : List.of(new String[] {"DeployDev", devStack}, new String[] {"DeployPrd", prdStack})) {
            IConstruct role = actionRole(d[0], "Deploy");
            Suppress.nag(role, NagIds.action("cloudformation:DescribeStack*"), cfnReason);
            Suppress.nag(role, NagIds.action("cloudformation:GetTemplate*"), cfnReason);
            Suppress.nag(role, NagIds.resource(NagIds.arn("cloudformation", "stack/" + d[1] + "/*")), cfnReason);
        }
        Suppress.nag(actionRole("Approve", "Approve"), NagIds.action("kms:GenerateDataKey*"),
                "CDK's ManualApprovalAction lets the action publish to the KMS-encrypted approval topic.");
        String sm = NagIds.logicalId(systemTest);
        String part = "{\"Fn::Select\":[%d,{\"Fn::Split\":[\":\",{\"Ref\":\"" + sm + "\"}]}]}";
        Suppress.nag(actionRole("SystemTest", "SystemTest"), NagIds.resource("arn:" + String.format(part, 1) + ":states:"
                        + String.format(part, 3) + ":" + String.format(part, 4) + ":execution:" + String.format(part, 6)
                        + ":system-test*"),
                "CDK's StepFunctionInvokeAction describes the executions it starts (prefix system-test) of this one state machine.");
    }

    private IConstruct actionRole(String stage, String action) {
        return pipeline.getNode().findChild(stage).getNode().findChild(action).getNode().findChild("CodePipelineActionRole");
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
