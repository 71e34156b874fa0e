package io.mlops.infra.constructs;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import software.constructs.Construct;

/**
 * An execution role SageMaker assumes, scoped to the run prefixes of the artifact bucket and to the
 * model image repository. Two flavours share this construct:
 * <ul>
 *   <li>{@link Purpose#JOBS}: training and processing jobs: read {@code runs/*}/etl/ and the trained
 *       model, write {@code runs/*}/training/, {@code checkpoints/}, {@code evaluation/};</li>
 *   <li>{@link Purpose#HOSTING}: endpoints: read the trained model, write data capture.</li>
 * </ul>
 * {@link #grantPassRole} lets a caller pass it, only to {@code sagemaker.amazonaws.com}.
 */
public final class SageMakerJobRole extends Construct {

    /** What the role is for. */
    public enum Purpose { JOBS, HOSTING }


    private final Role role;

    public SageMakerJobRole(Construct scope, String id, SageMakerJobRoleProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        PipelineStorage storage = props.storage();
        role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("sagemaker.amazonaws.com"))
                .description(props.purpose() == Purpose.JOBS
                        ? "SageMaker training and processing jobs of the MLOps pipeline"
                        : "SageMaker endpoints (DEV, PRD) of the MLOps pipeline")
                .build();
        props.repository().grantPull(role);
        if (props.purpose() == Purpose.JOBS) {
            storage.grantRunsRead(role, "etl/*", "training/*");
            storage.grantRunsWrite(role, "training/*", "checkpoints/*", "evaluation/*");
            storage.grantRunsList(role);
            role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("s3:GetObject", "s3:DeleteObject"))
                    .resources(List.of(storage.runsArn("checkpoints/*")))
                    .build());
            Suppress.nag(role, NagIds.resource(NagIds.arnOf(storage.artifactBucket()) + "/runs/*/checkpoints/*"),
                    "Managed spot training resumes from and prunes checkpoints under runs/<execution-id>/checkpoints/.");
        } else {
            storage.grantRunsRead(role, "training/*");
            storage.grantKeyUse(role, true);
            role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("s3:PutObject"))
                    .resources(List.of(storage.artifactBucket().arnForObjects(props.dataCapturePrefix() + "*")))
                    .build());
        }
        // Volume and output encryption: SageMaker creates grants for the instances' volumes.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("kms:CreateGrant", "kms:DescribeKey"))
                .resources(List.of(storage.key().getKeyArn()))
                .conditions(Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true")))
                .build());
        String logPrefix = props.purpose() == Purpose.JOBS ? "/aws/sagemaker/*" : "/aws/sagemaker/Endpoints/*";
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"))
                .resources(List.of(stack.formatArn(ArnComponents.builder().service("logs").resource("log-group")
                        .arnFormat(ArnFormat.COLON_RESOURCE_NAME).resourceName(logPrefix).build())))
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("cloudwatch:PutMetricData"))
                .resources(List.of("*"))
                .conditions(Map.of("StringLike", Map.of("cloudwatch:namespace", List.of("/aws/sagemaker/*", "aws/sagemaker/*"))))
                .build());
        acknowledge(role, props.purpose(), storage, props.dataCapturePrefix());
    }

    private static void acknowledge(Role role, Purpose purpose, PipelineStorage storage, String capturePrefix) {
        Suppress.nag(role, NagIds.resource("*"), "ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no"
                + " resource-level permissions; PutMetricData is limited to the SageMaker namespaces by condition.");
        if (purpose == Purpose.JOBS) {
            Suppress.nag(role, NagIds.resource(NagIds.arn("logs", "log-group:/aws/sagemaker/*")),
                    "SageMaker writes job logs to /aws/sagemaker/TrainingJobs and /aws/sagemaker/ProcessingJobs, streams per job.");
        } else {
            Suppress.nag(role, NagIds.resource(NagIds.arn("logs", "log-group:/aws/sagemaker/Endpoints/*")),
                    "SageMaker writes endpoint logs to /aws/sagemaker/Endpoints/<endpoint-name>.");
            Suppress.nag(role, NagIds.resource(NagIds.arnOf(storage.artifactBucket()) + "/" + capturePrefix + "*"),
                    "Data capture writes objects under the PRD capture prefix with keys SageMaker generates (date/hour/uuid).");
        }
    }

    public Role role() {
        return role;
    }

    /** {@code iam:PassRole} on this role, only towards SageMaker. */
    public Grant grantPassRole(IGrantable grantee) {
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("iam:PassRole"))
                .resourceArns(List.of(role.getRoleArn()))
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "sagemaker.amazonaws.com")))
                .build());
    }
}
