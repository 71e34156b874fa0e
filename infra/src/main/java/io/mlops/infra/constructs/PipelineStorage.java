package io.mlops.infra.constructs;

import io.mlops.contract.RunPaths;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * The deployment's storage: one customer-managed KMS key (rotated), the artifact bucket (pipeline
 * artifacts, {@code builds/<commit>/}, {@code runs/<exec>/}), the data bucket ({@code datasets/},
 * EventBridge notifications on) and the access-log bucket both log to. Every bucket is versioned,
 * TLS-only, blocks public access and has lifecycle rules.
 *
 * <p>Grants are prefix-scoped: {@link #grantRunsRead}, {@link #grantRunsWrite}, {@link #grantBuildsRead},
 * {@link #grantBuildsWrite}, {@link #grantDatasetsRead}, {@link #grantDatasetsList}, {@link #grantKeyUse}.
 */
public final class PipelineStorage extends Construct {


    private final Key key;
    private final Bucket accessLogs;
    private final Bucket artifacts;
    private final Bucket data;

    public PipelineStorage(Construct scope, String id, PipelineStorageProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        key = Key.Builder.create(this, "Key")
                .description("Encrypts the MLOps pipeline's buckets, logs, topic, build and SageMaker volumes")
                .enableKeyRotation(true)
                .removalPolicy(props.removalPolicy())
                .build();
        // cfn-guard CT.KMS.PR.3: grants only for AWS resources or from AWS services.
        key.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("DenyCreateGrantUnlessForAwsResource")
                .effect(Effect.DENY)
                .principals(List.of(new AnyPrincipal()))
                .actions(List.of("kms:CreateGrant"))
                .resources(List.of("*"))
                .conditions(Map.of("BoolIfExists", Map.of(
                        "kms:GrantIsForAWSResource", "false",
                        "aws:PrincipalIsAWSService", "false")))
                .build());
        // Encrypted CloudWatch log groups of this account and region.
        key.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowCloudWatchLogs")
                .principals(List.of(new ServicePrincipal("logs." + stack.getRegion() + ".amazonaws.com")))
                .actions(List.of("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"))
                .resources(List.of("*"))
                .conditions(Map.of("ArnLike", Map.of("kms:EncryptionContext:aws:logs:arn",
                        "arn:" + stack.getPartition() + ":logs:" + stack.getRegion() + ":" + stack.getAccount() + ":log-group:*")))
                .build());

        List<LifecycleRule> lifecycle = List.of(LifecycleRule.builder()
                .id("expire-noncurrent-and-incomplete")
                .abortIncompleteMultipartUploadAfter(Duration.days(7))
                .noncurrentVersionExpiration(Duration.days(props.noncurrentVersionDays()))
                .build());

        accessLogs = Bucket.Builder.create(this, "AccessLogs")
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .versioned(true)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .id("expire-access-logs")
                        .expiration(Duration.days(365))
                        .noncurrentVersionExpiration(Duration.days(props.noncurrentVersionDays()))
                        .abortIncompleteMultipartUploadAfter(Duration.days(7))
                        .build()))
                .removalPolicy(props.removalPolicy())
                .build();
        enableEventBridge(accessLogs);
        Suppress.nag(accessLogs, "AwsSolutions-S1",
                "This is the server access log destination; logging it into itself would loop.");
        Suppress.guard(accessLogs, "CT.S3.PR.2",
                "This is the server access log destination; logging it into itself would loop.");
        Suppress.guard(accessLogs, "CT.S3.PR.10",
                "S3 server access log delivery supports only SSE-S3 on the destination bucket, not SSE-KMS.");
        Suppress.guard(accessLogs, "CT.S3.PR.9",
                "Object Lock would make log objects undeletable; versioning plus lifecycle expiry is the retention control.");

        artifacts = secureBucket("Artifacts", "artifacts/", lifecycle, props.removalPolicy());
        data = secureBucket("Data", "data/", lifecycle, props.removalPolicy());
    }

    private Bucket secureBucket(String id, String logPrefix, List<LifecycleRule> lifecycle, RemovalPolicy removal) {
        Bucket bucket = Bucket.Builder.create(this, id)
                .encryption(BucketEncryption.KMS)
                .encryptionKey(key)
                .bucketKeyEnabled(true)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .versioned(true)
                .serverAccessLogsBucket(accessLogs)
                .serverAccessLogsPrefix(logPrefix)
                .lifecycleRules(lifecycle)
                .removalPolicy(removal)
                .build();
        enableEventBridge(bucket);
        Suppress.guard(bucket, "CT.S3.PR.9",
                "Object Lock would make pipeline artifacts and datasets undeletable; versioning keeps every overwritten object.");
        return bucket;
    }

    /**
     * S3 → EventBridge notifications, set on the CloudFormation resource itself (the L2
     * {@code eventBridgeEnabled} deploys a custom-resource Lambda to do the same).
     */
    private static void enableEventBridge(Bucket bucket) {
        ((CfnBucket) bucket.getNode().getDefaultChild()).setNotificationConfiguration(
                CfnBucket.NotificationConfigurationProperty.builder()
                        .eventBridgeConfiguration(CfnBucket.EventBridgeConfigurationProperty.builder()
                                .eventBridgeEnabled(true).build())
                        .build());
    }

    public Key key() {
        return key;
    }

    public IBucket accessLogsBucket() {
        return accessLogs;
    }

    public IBucket artifactBucket() {
        return artifacts;
    }

    public IBucket dataBucket() {
        return data;
    }

    /** Object ARN pattern in the artifact bucket for {@code runs/<any exec>/<subpath>}. */
    public String runsArn(String subpath) {
        return artifacts.arnForObjects(RunPaths.RUNS_PREFIX + "*/" + subpath);
    }

    /** s3:GetObject on {@code runs/*}/{@code <subpath>} (e.g. {@code etl/*}) plus decrypt. */
    public Grant grantRunsRead(IGrantable grantee, String... subpaths) {
        return grantObjects(grantee, artifacts, List.of("s3:GetObject", "s3:GetObjectVersion"), runsPatterns(subpaths), false);
    }

    /** s3:PutObject on {@code runs/*}/{@code <subpath>} plus encrypt. */
    public Grant grantRunsWrite(IGrantable grantee, String... subpaths) {
        return grantObjects(grantee, artifacts, List.of("s3:PutObject", "s3:AbortMultipartUpload"), runsPatterns(subpaths), true);
    }

    /** s3:ListBucket on the artifact bucket limited to {@code runs/} keys. */
    public Grant grantRunsList(IGrantable grantee) {
        return grantList(grantee, artifacts, RunPaths.RUNS_PREFIX + "*");
    }

    /** s3:GetObject on {@code builds/*} (per-commit ETL jar and settings) plus decrypt. */
    public Grant grantBuildsRead(IGrantable grantee) {
        return grantObjects(grantee, artifacts, List.of("s3:GetObject", "s3:GetObjectVersion"),
                List.of(RunPaths.BUILDS_PREFIX + "*"), false);
    }

    /** s3:PutObject/GetObject on {@code builds/*} plus encrypt (the image build). */
    public Grant grantBuildsWrite(IGrantable grantee) {
        grantList(grantee, artifacts, RunPaths.BUILDS_PREFIX + "*");
        return grantObjects(grantee, artifacts, List.of("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"),
                List.of(RunPaths.BUILDS_PREFIX + "*"), true);
    }

    /** s3:GetObject on {@code datasets/*} of the data bucket plus decrypt. */
    public Grant grantDatasetsRead(IGrantable grantee) {
        return grantObjects(grantee, data, List.of("s3:GetObject", "s3:GetObjectVersion"),
                List.of(RunPaths.DATASETS_PREFIX + "*"), false);
    }

    /** s3:ListBucket on the data bucket limited to {@code datasets/} keys. */
    public Grant grantDatasetsList(IGrantable grantee) {
        return grantList(grantee, data, RunPaths.DATASETS_PREFIX + "*");
    }

    /** Use of the key: kms:Decrypt, plus kms:Encrypt and kms:GenerateDataKey when {@code write} (no wildcards). */
    public Grant grantKeyUse(IGrantable grantee, boolean write) {
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(write ? List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey") : List.of("kms:Decrypt"))
                .resourceArns(List.of(key.getKeyArn()))
                .build());
    }

    private List<String> runsPatterns(String... subpaths) {
        if (subpaths.length == 0) {
            throw new IllegalArgumentException("name the runs/<exec>/ sub-paths to grant, e.g. \"etl/*\"");
        }
        return java.util.Arrays.stream(subpaths).map(s -> RunPaths.RUNS_PREFIX + "*/" + s).toList();
    }

    private Grant grantObjects(IGrantable grantee, IBucket bucket, List<String> actions, List<String> keyPatterns, boolean write) {
        grantKeyUse(grantee, write);
        acknowledgePrefixes(grantee, bucket, keyPatterns);
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(actions)
                .resourceArns(keyPatterns.stream().map(bucket::arnForObjects).toList())
                .build());
    }

    /**
     * A prefix grant ends in a wildcard by design: the keys below {@code runs/<execution-id>/} or
     * {@code builds/<commit>/} exist only at run time. The acknowledgment names the exact pattern and
     * lands on the grantee's own role.
     */
    private void acknowledgePrefixes(IGrantable grantee, IBucket bucket, List<String> keyPatterns) {
        if (!(grantee.getGrantPrincipal() instanceof software.constructs.IConstruct principal)) {
            return;
        }
        for (String pattern : keyPatterns) {
            Suppress.nag(principal, NagIds.resource(NagIds.arnOf(bucket) + "/" + pattern),
                    "Prefix-scoped S3 grant (" + pattern + "): object keys under this prefix are created per pipeline"
                            + " execution or commit, so they cannot be listed in advance.");
        }
    }

    private static Grant grantList(IGrantable grantee, IBucket bucket, String prefixPattern) {
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("s3:ListBucket"))
                .resourceArns(List.of(bucket.getBucketArn()))
                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of(prefixPattern))))
                .build());
    }
}
