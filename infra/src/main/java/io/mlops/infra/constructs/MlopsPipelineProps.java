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

/** Properties of {@link MlopsPipeline} (everything the stages wire together). */
public record MlopsPipelineProps(String pipelineName, IRepository repository, String branch, PipelineStorage storage, ImageBuild imageBuild, PipelineHandlers handlers, IStateMachine systemTest, String devEndpointName, double minRocAuc, int maxP99Millis, int maxRows, ITopic approvalTopic, List<String> approvalEmails, String templatesKey, EndpointDeployRole deployRole, SageMakerJobRole hostingRole, String devStackName, String prdStackName, String dataCapturePrefix, String prdEndpointName, MlopsPipeline.ConnectionSource connection, boolean deleteDevAfterApproval, boolean devServerless) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private String pipelineName;
        private IRepository repository;
        private String branch;
        private PipelineStorage storage;
        private ImageBuild imageBuild;
        private PipelineHandlers handlers;
        private IStateMachine systemTest;
        private String devEndpointName;
        private String prdEndpointName;
        private double minRocAuc;
        private int maxP99Millis;
        private int maxRows;
        private ITopic approvalTopic;
        private List<String> approvalEmails;
        private String templatesKey;
        private EndpointDeployRole deployRole;
        private SageMakerJobRole hostingRole;
        private String devStackName;
        private String prdStackName;
        private String dataCapturePrefix;
        private MlopsPipeline.ConnectionSource connection;
        private boolean deleteDevAfterApproval;
        private boolean devServerless;

        /** Required. */
        public Builder pipelineName(String v) { this.pipelineName = v; return this; }
        /** Required unless {@link #connection} is set (then null: no CodeCommit repository). */
        public Builder repository(IRepository v) { this.repository = v; return this; }
        /** Required. */
        public Builder branch(String v) { this.branch = v; return this; }
        /** Required. */
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        /** Required. */
        public Builder imageBuild(ImageBuild v) { this.imageBuild = v; return this; }
        /** Required. */
        public Builder handlers(PipelineHandlers v) { this.handlers = v; return this; }
        /** Required. */
        public Builder systemTest(IStateMachine v) { this.systemTest = v; return this; }
        /** Required. */
        public Builder devEndpointName(String v) { this.devEndpointName = v; return this; }
        /** Required: the PRD endpoint (the Verify action checks it; its alarm names derive from it). */
        public Builder prdEndpointName(String v) { this.prdEndpointName = v; return this; }
        /** Required. */
        public Builder minRocAuc(double v) { this.minRocAuc = v; return this; }
        /** Required. */
        public Builder maxP99Millis(int v) { this.maxP99Millis = v; return this; }
        /** Required. */
        public Builder maxRows(int v) { this.maxRows = v; return this; }
        /** Required. */
        public Builder approvalTopic(ITopic v) { this.approvalTopic = v; return this; }
        /** Required. */
        public Builder approvalEmails(List<String> v) { this.approvalEmails = v; return this; }
        /** Required. */
        public Builder templatesKey(String v) { this.templatesKey = v; return this; }
        /** Required. */
        public Builder deployRole(EndpointDeployRole v) { this.deployRole = v; return this; }
        /** Required. */
        public Builder hostingRole(SageMakerJobRole v) { this.hostingRole = v; return this; }
        /** Required. */
        public Builder devStackName(String v) { this.devStackName = v; return this; }
        /** Required. */
        public Builder prdStackName(String v) { this.prdStackName = v; return this; }
        /** Required. */
        public Builder dataCapturePrefix(String v) { this.dataCapturePrefix = v; return this; }
        /** Optional (null: the CodeCommit {@link #repository}): a repository through a CodeConnections connection. */
        public Builder connection(MlopsPipeline.ConnectionSource v) { this.connection = v; return this; }
        /** Optional (default false): a DeleteDev stage after ApproveModel deletes the DEV endpoint stack. */
        public Builder deleteDevAfterApproval(boolean v) { this.deleteDevAfterApproval = v; return this; }
        /** Optional (default false): the DEV template is serverless and declares no KmsKeyArn parameter. */
        public Builder devServerless(boolean v) { this.devServerless = v; return this; }

        public MlopsPipelineProps build() {
            return new MlopsPipelineProps(pipelineName, repository, branch, storage, imageBuild, handlers, systemTest, devEndpointName, minRocAuc, maxP99Millis, maxRows, approvalTopic, approvalEmails, templatesKey, deployRole, hostingRole, devStackName, prdStackName, dataCapturePrefix, prdEndpointName, connection, deleteDevAfterApproval, devServerless);
        }
    }
}
