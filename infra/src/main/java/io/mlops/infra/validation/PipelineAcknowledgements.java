package io.mlops.infra.validation;

import io.mlops.infra.constructs.JavaFunction;
import io.mlops.infra.constructs.MlopsPipeline;
import io.mlops.infra.constructs.MlopsPipelineProps;
import io.mlops.infra.constructs.PipelineHandlers;
import io.mlops.infra.constructs.PipelineStorage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.IConstruct;

/**
 * cdk-nag acknowledgements for the IAM roles CDK generates for the pipeline and its actions (not ours to write,
 * so the findings are acknowledged here, each on the one role and with the reason), kept out of the construct.
 */
public final class PipelineAcknowledgements {
    private PipelineAcknowledgements() {
    }

    /**
     * Findings on the roles CDK generates for the pipeline and its actions. Each action role gets
     * exactly the grants CDK's action class adds; the reasons say which and why they are wildcards.
     */
    public static void generatedRoles(MlopsPipeline pipeline, MlopsPipelineProps props) {
        PipelineStorage storage = props.storage();
        PipelineHandlers h = props.handlers();
        IStateMachine systemTest = props.systemTest();
        String devStack = props.devStackName();
        String prdStack = props.prdStackName();
        IConstruct imageBuildRole = (IConstruct) props.imageBuild().project().getRole();
        String store = NagIds.resource(NagIds.arnOf(storage.artifactBucket()) + "/*");
        String storeReason = "CDK grants CodePipeline roles read/write on the pipeline's own artifact store (this"
                + " bucket and key); artifact object keys are generated per execution.";
        List<String> readActions = List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*");
        List<String> writeActions = List.of("s3:DeleteObject*", "s3:Abort*", "kms:ReEncrypt*", "kms:GenerateDataKey*");
        List<IConstruct> writers = new ArrayList<>(List.of(pipeline.pipeline().getRole()));
        writers.add(pipeline.actionRole("Source", "Source"));
        writers.add(pipeline.actionRole("Source", "EndpointTemplates"));
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
        lambdaActions.put(pipeline.actionRole("ETL", "Launch"), h.launchEtl());
        lambdaActions.put(pipeline.actionRole("ETL", "Monitor"), h.monitorEtl());
        lambdaActions.put(pipeline.actionRole("Train", "Launch"), h.launchTraining());
        lambdaActions.put(pipeline.actionRole("Train", "Monitor"), h.monitorTraining());
        lambdaActions.put(pipeline.actionRole("Evaluate", "Evaluate"), h.evaluate());
        lambdaActions.put(pipeline.actionRole("ApproveModel", "ApproveModel"), h.approveModel());
        lambdaActions.put(pipeline.actionRole("DeployDev", "Verify"), h.verifyEndpoint());
        lambdaActions.put(pipeline.actionRole("DeployPrd", "Verify"), h.verifyEndpoint());
        for (var e : lambdaActions.entrySet()) {
            Suppress.nag(e.getKey(), NagIds.resource("*"), invokeReason);
            Suppress.nag(e.getKey(), NagIds.resource(NagIds.arnOf(e.getValue().function()) + ":*"), invokeReason);
        }
        String readReason = "CDK grants the action (and the CodeBuild project) read on the pipeline's artifact store to hand it the input artifacts.";
        List<IConstruct> readers = List.of(imageBuildRole, pipeline.actionRole("ETL", "Launch"), pipeline.actionRole("Train", "Launch"),
                pipeline.actionRole("Evaluate", "Evaluate"), pipeline.actionRole("DeployDev", "Deploy"), pipeline.actionRole("DeployPrd", "Deploy"));
        for (IConstruct role : readers) {
            Suppress.nag(role, store, readReason);
            for (String a : readActions) {
                Suppress.nag(role, NagIds.action(a), readReason);
            }
        }
        String cfnReason = "CDK's CloudFormation action grants describe/get on the one stack it deploys (stack ARNs end in"
                + " a generated id).";
        for (String[] d : List.of(new String[] {"DeployDev", devStack}, new String[] {"DeployPrd", prdStack})) {
            IConstruct role = pipeline.actionRole(d[0], "Deploy");
            Suppress.nag(role, NagIds.action("cloudformation:DescribeStack*"), cfnReason);
            Suppress.nag(role, NagIds.action("cloudformation:GetTemplate*"), cfnReason);
            Suppress.nag(role, NagIds.resource(NagIds.arn("cloudformation", "stack/" + d[1] + "/*")), cfnReason);
        }
        if (props.deleteDevAfterApproval()) {
            IConstruct role = pipeline.actionRole(MlopsPipeline.DELETE_DEV_STAGE, "Delete");
            Suppress.nag(role, NagIds.action("cloudformation:DescribeStack*"), cfnReason);
            Suppress.nag(role, NagIds.resource(NagIds.arn("cloudformation", "stack/" + devStack + "/*")), cfnReason);
        }
        Suppress.nag(pipeline.actionRole("Approve", "Approve"), NagIds.action("kms:GenerateDataKey*"),
                "CDK's ManualApprovalAction lets the action publish to the KMS-encrypted approval topic.");
        String sm = NagIds.logicalId(systemTest);
        String part = "{\"Fn::Select\":[%d,{\"Fn::Split\":[\":\",{\"Ref\":\"" + sm + "\"}]}]}";
        Suppress.nag(pipeline.actionRole("SystemTest", "SystemTest"), NagIds.resource("arn:" + String.format(part, 1) + ":states:"
                        + String.format(part, 3) + ":" + String.format(part, 4) + ":execution:" + String.format(part, 6)
                        + ":system-test*"),
                "CDK's StepFunctionInvokeAction describes the executions it starts (prefix system-test) of this one state machine.");
    }
}
