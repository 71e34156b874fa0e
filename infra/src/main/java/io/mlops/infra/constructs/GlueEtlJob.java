package io.mlops.infra.constructs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.glue.CfnJob;
import software.amazon.awscdk.services.glue.CfnSecurityConfiguration;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.assets.Asset;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import software.constructs.Construct;

/**
 * The Glue 5.1 (Spark 3.5.6, Scala 2.12.18, Java 17) Spark (Scala) ETL job: entry script {@code etl/glue/GlueEntry.scala} (object
 * {@code GlueApp}) uploaded as an asset; the per-commit ETL jar arrives per run as
 * {@code --extra-jars} from LaunchEtl. Its own role reads {@code datasets/} and {@code builds/},
 * writes {@code runs/<exec>/etl/}; a security configuration encrypts S3 output, continuous
 * CloudWatch logs and bookmarks with the deployment key.
 *
 * <p>Grants: {@link #grantStartRun} (LaunchEtl), {@link #grantMonitor} (MonitorEtl).
 */
public final class GlueEtlJob extends Construct {


    public static final String GLUE_VERSION = "5.1";
    private final String jobName;
    private final String jobArn;
    private final Role role;
    private final CfnJob job;

    public GlueEtlJob(Construct scope, String id, GlueEtlJobProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        jobName = props.jobName();
        jobArn = stack.formatArn(ArnComponents.builder().service("glue").resource("job").resourceName(jobName).build());
        PipelineStorage storage = props.storage();

        role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("glue.amazonaws.com"))
                .description("Glue ETL job " + jobName)
                .build();
        Asset script = Asset.Builder.create(this, "EntryScript").path(props.entryScript().toString()).build();
        script.grantRead(role);
        storage.grantDatasetsRead(role);
        storage.grantDatasetsList(role);
        storage.grantBuildsRead(role);
        storage.grantRunsRead(role, "config/*", "etl/*");
        storage.grantRunsWrite(role, "etl/*");
        storage.grantRunsList(role);
        // Spark's S3 committer deletes its temporary objects under the output prefix.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:DeleteObject"))
                .resources(List.of(storage.runsArn("etl/*")))
                .build());
        String logGroups = stack.formatArn(ArnComponents.builder().service("logs").resource("log-group")
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME).resourceName("/aws-glue/*").build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"))
                .resources(List.of(logGroups))
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("cloudwatch:PutMetricData"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("cloudwatch:namespace", "Glue")))
                .build());
        storage.grantKeyUse(role, true);
        Suppress.nag(role, NagIds.resource("*"),
                "cloudwatch:PutMetricData supports no resource-level permissions; limited to the Glue namespace by condition.");
        Suppress.nag(role, NagIds.resource(NagIds.arn("logs", "log-group:/aws-glue/*")),
                "Glue names its continuous-logging log groups itself (/aws-glue/jobs/..., suffixed with the security configuration).");
        String assets = "arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*";
        Suppress.nag(role, NagIds.resource(assets),
                "CDK Asset.grantRead on the bootstrap asset bucket: the entry script's key is a content hash.");
        for (String action : List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*")) {
            Suppress.nag(role, NagIds.action(action), "CDK Asset.grantRead grants these read-only S3 action groups on the"
                    + " bootstrap asset bucket holding the entry script.");
        }

        CfnSecurityConfiguration security = CfnSecurityConfiguration.Builder.create(this, "Security")
                .name(jobName + "-security")
                .encryptionConfiguration(CfnSecurityConfiguration.EncryptionConfigurationProperty.builder()
                        .s3Encryptions(List.of(CfnSecurityConfiguration.S3EncryptionProperty.builder()
                                .s3EncryptionMode("SSE-KMS").kmsKeyArn(storage.key().getKeyArn()).build()))
                        .cloudWatchEncryption(CfnSecurityConfiguration.CloudWatchEncryptionProperty.builder()
                                .cloudWatchEncryptionMode("SSE-KMS").kmsKeyArn(storage.key().getKeyArn()).build())
                        .jobBookmarksEncryption(CfnSecurityConfiguration.JobBookmarksEncryptionProperty.builder()
                                .jobBookmarksEncryptionMode("CSE-KMS").kmsKeyArn(storage.key().getKeyArn()).build())
                        .build())
                .build();

        Map<String, String> args = new LinkedHashMap<>();
        args.put("--job-language", "scala");
        args.put("--class", "GlueApp");
        args.put("--enable-continuous-cloudwatch-log", "true");
        args.put("--enable-continuous-log-filter", "true");
        args.put("--enable-metrics", "true");
        args.put("--job-bookmark-option", "job-bookmark-disable");
        args.put("--TempDir", "s3://" + storage.artifactBucket().getBucketName() + "/runs/glue-temp/etl/");
        job = CfnJob.Builder.create(this, "Job")
                .name(jobName)
                .description("Spark ETL of the MLOps pipeline (io.mlops.etl.EtlJob via the GlueApp entry script)")
                .role(role.getRoleArn())
                .glueVersion(GLUE_VERSION)
                .command(CfnJob.JobCommandProperty.builder()
                        .name("glueetl")
                        .scriptLocation(script.getS3ObjectUrl())
                        .build())
                .defaultArguments(args)
                .workerType(props.workerType())
                .numberOfWorkers(props.numberOfWorkers())
                .timeout(props.timeoutMinutes())
                .maxRetries(0)
                .executionProperty(CfnJob.ExecutionPropertyProperty.builder().maxConcurrentRuns(props.maxConcurrentRuns()).build())
                .securityConfiguration(security.getRef())
                .build();
    }

    public String jobName() {
        return jobName;
    }

    public String jobArn() {
        return jobArn;
    }

    public Role role() {
        return role;
    }

    public CfnJob job() {
        return job;
    }

    /** LaunchEtl: start runs and list earlier runs of this job (idempotent relaunch). */
    public Grant grantStartRun(IGrantable grantee) {
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("glue:StartJobRun", "glue:GetJobRuns", "glue:GetJobRun"))
                .resourceArns(List.of(jobArn)).build());
    }

    /** MonitorEtl: read one run. */
    public Grant grantMonitor(IGrantable grantee) {
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("glue:GetJobRun"))
                .resourceArns(List.of(jobArn)).build());
    }
}
