package io.mlops.infra.constructs;

import io.mlops.contract.RunPaths;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import java.nio.file.Path;
import java.util.List;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.amazon.awscdk.services.s3.deployment.BucketDeployment;
import software.amazon.awscdk.services.s3.deployment.Source;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * What {@code cdk deploy} uploads: the bundled dataset to {@code s3://<data>/datasets/} (its
 * arrival also triggers the pipeline) and the endpoint templates zip to
 * {@code s3://<artifacts>/pipeline/endpoint-templates/<hash>.zip}, the object the pipeline's
 * {@code EndpointTemplates} source action reads. One CDK BucketDeployment handler with its own role
 * and encrypted log group does both.
 */
public final class DeployTimeUploads extends Construct {
    public static final String TEMPLATES_PREFIX = "pipeline/endpoint-templates/";


    private final BucketDeployment dataset;
    private final BucketDeployment templates;
    private final String templatesKey;

    public DeployTimeUploads(Construct scope, String id, DeployTimeUploadsProps props) {
        super(scope, id);
        PipelineStorage storage = props.storage();
        Role role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("CDK BucketDeployment: uploads the bundled dataset and the endpoint templates")
                .build();
        LogGroup logs = LogGroup.Builder.create(this, "Logs")
                .retention(props.logRetention())
                .encryptionKey(storage.key())
                .removalPolicy(props.logRemoval())
                .build();
        logs.grantWrite(role);

        dataset = BucketDeployment.Builder.create(this, "Dataset")
                .sources(List.of(Source.asset(props.datasetDirectory().toString(),
                        software.amazon.awscdk.services.s3.assets.AssetOptions.builder()
                                .exclude(List.of("*", "!" + props.datasetFile())).build())))
                .destinationBucket(storage.dataBucket())
                .destinationKeyPrefix(RunPaths.DATASETS_PREFIX)
                .prune(false)
                .retainOnDelete(true)
                .role(role)
                .logGroup(logs)
                .build();

        Asset templatesZip = Asset.Builder.create(this, "EndpointTemplatesZip")
                .path(props.templatesDirectory().toString())
                .build();
        templates = BucketDeployment.Builder.create(this, "EndpointTemplates")
                .sources(List.of(Source.bucket(templatesZip.getBucket(), templatesZip.getS3ObjectKey())))
                .destinationBucket(storage.artifactBucket())
                .destinationKeyPrefix(TEMPLATES_PREFIX)
                .extract(false)
                .prune(false)
                .retainOnDelete(true)
                .role(role)
                .logGroup(logs)
                .build();
        templatesKey = TEMPLATES_PREFIX + templatesZip.getS3ObjectKey();
        acknowledge(role, storage);
    }

    /** Findings on what CDK's BucketDeployment generates: its grants on our role, its singleton function. */
    private void acknowledge(Role role, PipelineStorage storage) {
        String reason = "CDK BucketDeployment grants its handler read on the bootstrap asset bucket and read/write on the"
                + " destination bucket (asset keys are content hashes); the handler only copies these two uploads.";
        for (String action : List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*",
                "kms:ReEncrypt*", "kms:GenerateDataKey*")) {
            Suppress.nag(role, NagIds.action(action), reason);
        }
        Suppress.nag(role, NagIds.resource(NagIds.arnOf(storage.artifactBucket()) + "/*"), reason);
        Suppress.nag(role, NagIds.resource(NagIds.arnOf(storage.dataBucket()) + "/*"), reason);
        Suppress.nag(role, NagIds.resource("arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*"), reason);
        IConstruct handler = singletonHandler(this);
        Suppress.nag(handler, "AwsSolutions-L1",
                "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib (Python + AWS CLI layer); it runs only at deploy time.");
        Suppress.guard(handler, "CT.LAMBDA.PR.3",
                "CDK's BucketDeployment handler runs only during cdk deploy and only calls S3; no VPC in this product.");
    }

    /** The BucketDeployment's singleton handler function (stack-level construct created by CDK). */
    static IConstruct singletonHandler(Construct scope) {
        for (IConstruct c : software.amazon.awscdk.Stack.of(scope).getNode().getChildren()) {
            if (c.getNode().getId().startsWith("Custom::CDKBucketDeployment")) {
                return c;
            }
        }
        throw new IllegalStateException("CDK BucketDeployment handler not found under the stack");
    }

    public BucketDeployment dataset() {
        return dataset;
    }

    public BucketDeployment templates() {
        return templates;
    }

    /** Key of the endpoint templates zip in the artifact bucket (content-addressed). */
    public String templatesKey() {
        return templatesKey;
    }
}
