package io.mlops.infra.stacks;

import io.mlops.infra.validation.PipelineAcknowledgements;
import io.mlops.infra.AssetPaths;
import io.mlops.infra.config.MlopsConfig;
import io.mlops.infra.config.Regions;
import io.mlops.infra.constructs.ApprovalTopic;
import io.mlops.infra.constructs.ApprovalTopicProps;
import io.mlops.infra.constructs.DeployTimeUploads;
import io.mlops.infra.constructs.DriftMonitor;
import io.mlops.infra.constructs.DriftMonitorProps;
import io.mlops.infra.constructs.DeployTimeUploadsProps;
import io.mlops.infra.constructs.EndpointDeployRole;
import io.mlops.infra.constructs.EndpointDeployRoleProps;
import io.mlops.infra.constructs.GlueEtlJob;
import io.mlops.infra.constructs.GlueEtlJobProps;
import io.mlops.infra.constructs.ImageBuild;
import io.mlops.infra.constructs.ImageBuildProps;
import io.mlops.infra.constructs.MlopsPipeline;
import io.mlops.infra.constructs.MlopsPipelineProps;
import io.mlops.infra.constructs.ModelRegistry;
import io.mlops.infra.constructs.ModelRegistryProps;
import io.mlops.infra.constructs.PipelineHandlers;
import io.mlops.infra.constructs.PipelineHandlersProps;
import io.mlops.infra.constructs.PipelineStorage;
import io.mlops.infra.constructs.PipelineStorageProps;
import io.mlops.infra.constructs.SageMakerJobRole;
import io.mlops.infra.constructs.SageMakerJobRoleProps;
import io.mlops.infra.constructs.SeededRepository;
import io.mlops.infra.constructs.SeededRepositoryProps;
import io.mlops.infra.constructs.SystemTestWorkflow;
import io.mlops.infra.constructs.SystemTestWorkflowProps;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;
import software.constructs.Construct;

/**
 * Everything {@code cdk deploy} creates (the endpoints are created later by the pipeline from the
 * templates in {@link EndpointTemplates}). This stack only composes constructs and publishes outputs.
 */
public final class PipelineStack extends Stack {
    public static final String DATA_CAPTURE_PREFIX = "datacapture/prd/";

    private final PipelineStorage storage;
    private final ModelRegistry registry;
    private final ImageBuild imageBuild;
    private final GlueEtlJob etlJob;
    private final SageMakerJobRole jobRole;
    private final SageMakerJobRole hostingRole;
    private final PipelineHandlers handlers;
    private final SystemTestWorkflow systemTest;
    private final SeededRepository source;
    private final DeployTimeUploads uploads;
    private final EndpointDeployRole deployRole;
    private final ApprovalTopic approvalTopic;
    private final MlopsPipeline pipeline;
    private final EndpointTemplates templates;
    private final DriftMonitor driftMonitor;

    public PipelineStack(Construct scope, String id, StackProps stackProps, MlopsConfig config, AssetPaths assets,
            EndpointTemplates templates) {
        super(scope, id, stackProps);
        this.templates = templates;
        String project = config.projectName();
        RemovalPolicy removal = config.destroyOnRemoval() ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
        RetentionDays retention = retentionDays(config.logRetentionDays());

        storage = new PipelineStorage(this, "Storage", PipelineStorageProps.builder().removalPolicy(removal).build());
        Code lambdaCode = Code.fromAsset(assets.lambdaJar().toString());

        registry = new ModelRegistry(this, "ModelRegistry", ModelRegistryProps.builder()
                .groupName(config.modelPackageGroupName())
                .description("Model " + config.modelName() + " of project " + project + " (MLOps pipeline)")
                .purgeOnDelete(config.destroyOnRemoval())
                .handlerCode(lambdaCode).logKey(storage.key()).logRetention(retention).logRemoval(removal)
                .build());
        imageBuild = new ImageBuild(this, "ImageBuild", ImageBuildProps.builder()
                .repositoryName(project + "/" + config.modelName())
                .storage(storage).logRetention(retention).removalPolicy(removal)
                .build());
        jobRole = new SageMakerJobRole(this, "SageMakerJobRole", SageMakerJobRoleProps.jobs(storage, imageBuild.repository()));
        hostingRole = new SageMakerJobRole(this, "SageMakerHostingRole",
                SageMakerJobRoleProps.hosting(storage, imageBuild.repository(), DATA_CAPTURE_PREFIX));
        etlJob = new GlueEtlJob(this, "EtlJob", GlueEtlJobProps.builder()
                .jobName(project + "-etl").entryScript(assets.glueScript()).storage(storage)
                .build());
        handlers = new PipelineHandlers(this, "Handlers", PipelineHandlersProps.builder()
                .code(lambdaCode)
                .storage(storage)
                .etlJob(etlJob)
                .jobRole(jobRole)
                .registry(registry)
                .jobNamePrefix(project)
                .logRetention(retention)
                .logRemoval(removal)
                .inferenceInstanceTypes(java.util.stream.Stream.of(config.dev().instanceType(), config.prd().instanceType())
                        .distinct().toList())
                .endpointNames(List.of(config.endpointName(config.dev()), config.endpointName(config.prd())))
                .build());
        systemTest = new SystemTestWorkflow(this, "SystemTest", SystemTestWorkflowProps.of(
                Code.fromAsset(assets.systemTestJar().toString()), storage, config.endpointName(config.dev()), retention, removal));
        // mlops:source=codeconnections: the code lives in the connected repository; no CodeCommit repository.
        source = config.source().codeConnections() ? null : new SeededRepository(this, "Source", SeededRepositoryProps.builder()
                .repositoryName(project)
                .description("Source of the MLOps pipeline " + project + " (push to " + config.sourceBranch() + " to retrain)")
                .seedDirectory(assets.repoRoot())
                .excludes(AssetPaths.SEED_EXCLUDES)
                .branch(config.sourceBranch())
                .removalPolicy(removal)
                .build());
        uploads = new DeployTimeUploads(this, "Uploads", DeployTimeUploadsProps.builder()
                .storage(storage)
                .datasetDirectory(assets.datasetDir())
                .datasetFile(AssetPaths.DATASET_FILE)
                .templatesDirectory(templates.directory())
                .logRetention(retention)
                .logRemoval(removal)
                .build());
        deployRole = new EndpointDeployRole(this, "EndpointDeployRole", EndpointDeployRoleProps.builder()
                .endpointPrefix(project + "-")
                .hostingRole(hostingRole)
                .storage(storage)
                .registry(registry)
                .build());
        approvalTopic = new ApprovalTopic(this, "ApprovalTopic",
                new ApprovalTopicProps(project + " model approvals and PRD alarms", storage.key()));
        MlopsPipelineProps pipelineProps = MlopsPipelineProps.builder()
                .pipelineName(project)
                .repository(source == null ? null : source.repository())
                .connection(config.source().codeConnections() ? new MlopsPipeline.ConnectionSource(config.source().connectionArn(),
                        config.source().owner(), config.source().repo(), config.source().filePaths()) : null)
                .deleteDevAfterApproval(config.devEndpoint().deleteAfterApproval())
                .devServerless(config.devEndpoint().serverless())
                .branch(config.sourceBranch())
                .storage(storage)
                .imageBuild(imageBuild)
                .handlers(handlers)
                .systemTest(systemTest.stateMachine())
                .devEndpointName(config.endpointName(config.dev()))
                .prdEndpointName(config.endpointName(config.prd()))
                .minRocAuc(config.systemTest().minRocAuc())
                .maxP99Millis(config.systemTest().maxP99Millis())
                .maxRows(config.systemTest().maxRows())
                .approvalTopic(approvalTopic.topic())
                .approvalEmails(config.approvalEmail().isEmpty() ? List.of() : List.of(config.approvalEmail()))
                .templatesKey(uploads.templatesKey())
                .deployRole(deployRole)
                .hostingRole(hostingRole)
                .devStackName(config.endpointStackName(config.dev()))
                .prdStackName(config.endpointStackName(config.prd()))
                .dataCapturePrefix(DATA_CAPTURE_PREFIX)
                .build();
        pipeline = new MlopsPipeline(this, "Pipeline", pipelineProps);
        PipelineAcknowledgements.generatedRoles(pipeline, pipelineProps);
        // The first run needs the dataset and the templates in place.
        pipeline.getNode().addDependency(uploads);
        // CloudWatch alarms of the PRD endpoint publish to the topic.
        approvalTopic.allowCloudWatchAlarms();
        if (config.monitor().enabled()) {
            approvalTopic.allowEventBridgeRules();  // the drift monitor's failed-job rule publishes to it
        }
        // The PRD drift monitor (ADR 0105): hourly job on the capture, alarm to the topic, optional retrain.
        driftMonitor = !config.monitor().enabled() ? null : new DriftMonitor(this, "DriftMonitor", DriftMonitorProps.builder()
                .endpointName(config.endpointName(config.prd()))
                .storage(storage)
                .repository(imageBuild.repository())
                .handlerCode(lambdaCode)
                .jobNamePrefix(project)
                .capturePrefix(DATA_CAPTURE_PREFIX)
                .modelPackageGroup(registry.groupName())
                .schedule(config.monitor().schedule())
                .instanceType(config.monitor().instanceType())
                .maxRuntimeSeconds(config.monitor().maxRuntimeSeconds())
                .namespace(config.monitor().namespace())
                .alarmTopic(approvalTopic.topic())
                .pipeline(config.monitor().retrainOnDrift() ? pipeline.pipeline() : null)
                .retrainMinIntervalHours(config.monitor().retrainMinIntervalHours())
                .logRetention(retention)
                .logRemoval(removal)
                .build());

        Tags.of(this).add(io.mlops.contract.Tags.PROJECT, project);
        Regions.addRule(this);
        // CloudFormation takes an output's Description as a literal string only (cfn-lint E6003): no tokens.
        if (source != null) {
            output("CodeCommitCloneUrlHttp", source.repository().getRepositoryCloneUrlHttp(),
                    "git clone URL (HTTPS with the AWS CLI credential helper)");
            output("CodeCommitCloneUrlGrc", source.repository().getRepositoryCloneUrlGrc(), "git clone URL for git-remote-codecommit");
        } else {
            output("SourceRepository", config.source().owner() + "/" + config.source().repo(),
                    "Repository the pipeline builds (CodeConnections); push to the branch to retrain");
        }
        output("DataBucketName", storage.dataBucket().getBucketName(), "Data bucket");
        output("DatasetUploadPath", "s3://" + storage.dataBucket().getBucketName() + "/datasets/",
                "Upload a dataset .zip here to retrain (aws s3 cp my.zip <path>)");
        output("ArtifactBucketName", storage.artifactBucket().getBucketName(), "Artifact bucket (runs/<execution>/...)");
        output("PipelineConsoleUrl", "https://" + getRegion() + ".console.aws.amazon.com/codesuite/codepipeline/pipelines/"
                + project + "/view?region=" + getRegion(), "Pipeline in the console (approve here)");
        output("DevEndpointName", config.endpointName(config.dev()), "DEV endpoint (created by the pipeline's DeployDev stage)");
        output("PrdEndpointName", config.endpointName(config.prd()), "PRD endpoint (created by the pipeline's DeployPrd stage)");
        output("ModelPackageGroupName", registry.groupName(), "SageMaker model registry group");
        output("EcrRepositoryName", imageBuild.repository().getRepositoryName(), "Model image repository");
        output("GlueJobName", etlJob.jobName(), "Glue ETL job");
        output("SystemTestStateMachineArn", systemTest.stateMachine().getStateMachineArn(), "System-test state machine");
        output("PipelineName", pipeline.pipeline().getPipelineName(), "The CodePipeline");
        output("ApprovalTopicArn", approvalTopic.topicArn(), "SNS topic for approval requests and PRD alarms");
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }

    static RetentionDays retentionDays(int days) {
        for (RetentionDays r : RetentionDays.values()) {
            if (r != RetentionDays.INFINITE && r.toString() != null && daysOf(r) == days) {
                return r;
            }
        }
        throw new IllegalArgumentException("no CloudWatch Logs retention of " + days + " days");
    }

    private static int daysOf(RetentionDays r) {
        return switch (r) {
            case ONE_YEAR -> 365;
            case THIRTEEN_MONTHS -> 400;
            case EIGHTEEN_MONTHS -> 545;
            case TWO_YEARS -> 731;
            case THREE_YEARS -> 1096;
            case FIVE_YEARS -> 1827;
            case SIX_YEARS -> 2192;
            case SEVEN_YEARS -> 2557;
            case EIGHT_YEARS -> 2922;
            case NINE_YEARS -> 3288;
            case TEN_YEARS -> 3653;
            default -> -1;
        };
    }

    public PipelineStorage storage() { return storage; }
    public ModelRegistry registry() { return registry; }
    public ImageBuild imageBuild() { return imageBuild; }
    public GlueEtlJob etlJob() { return etlJob; }
    public SageMakerJobRole jobRole() { return jobRole; }
    public SageMakerJobRole hostingRole() { return hostingRole; }
    public PipelineHandlers handlers() { return handlers; }
    public SystemTestWorkflow systemTest() { return systemTest; }
    /** The seeded CodeCommit repository; null with {@code mlops:source=codeconnections}. */
    public SeededRepository source() { return source; }
    public DeployTimeUploads uploads() { return uploads; }
    public EndpointDeployRole deployRole() { return deployRole; }
    public ITopic approvalTopic() { return approvalTopic.topic(); }
    public MlopsPipeline pipeline() { return pipeline; }
    /** The PRD drift monitor, or null with {@code mlops:monitor:enabled=false}. */
    public DriftMonitor driftMonitor() { return driftMonitor; }
    /** The endpoint stacks (separate app) whose templates this stack publishes. */
    public EndpointTemplates templates() { return templates; }
}
