package io.mlops.infra.constructs;

import static io.mlops.contract.EnvNames.ARTIFACT_BUCKET;
import static io.mlops.contract.EnvNames.DATASET_PREFIX;
import static io.mlops.contract.EnvNames.DATA_BUCKET;
import static io.mlops.contract.EnvNames.GLUE_JOB_NAME;
import static io.mlops.contract.EnvNames.INFERENCE_INSTANCE_TYPES;
import static io.mlops.contract.EnvNames.JOB_NAME_PREFIX;
import static io.mlops.contract.EnvNames.KMS_KEY_ARN;
import static io.mlops.contract.EnvNames.MODEL_PACKAGE_GROUP;
import static io.mlops.contract.EnvNames.SAGEMAKER_ROLE_ARN;

import io.mlops.contract.Handler;
import io.mlops.contract.RunPaths;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The CodePipeline job handlers (one shaded jar, one function each, java21): LaunchEtl, MonitorEtl,
 * LaunchTraining, MonitorTraining, Evaluate, ApproveModel, VerifyEndpoint. Each gets exactly the environment
 * variables ({@link io.mlops.contract.EnvNames}) and IAM statements docs/contracts/handlers.md lists.
 */
public final class PipelineHandlers extends Construct {


    private final JavaFunction launchEtl;
    private final JavaFunction monitorEtl;
    private final JavaFunction launchTraining;
    private final JavaFunction monitorTraining;
    private final JavaFunction evaluate;
    private final JavaFunction approveModel;
    private final JavaFunction verifyEndpoint;

    public PipelineHandlers(Construct scope, String id, PipelineHandlersProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        PipelineStorage storage = props.storage();
        String bucket = storage.artifactBucket().getBucketName();
        String prefix = props.jobNamePrefix();

        launchEtl = function(props, "LaunchEtl", Handler.LAUNCH_ETL.className(), "Starts the Glue ETL run of a pipeline execution",
                1024, Duration.minutes(2), env(ARTIFACT_BUCKET, bucket, DATA_BUCKET, storage.dataBucket().getBucketName(),
                        DATASET_PREFIX, RunPaths.DATASETS_PREFIX, GLUE_JOB_NAME, props.etlJob().jobName()));
        props.etlJob().grantStartRun(launchEtl);
        storage.grantDatasetsList(launchEtl);
        storage.grantRunsWrite(launchEtl, "config/*");

        monitorEtl = function(props, "MonitorEtl", Handler.MONITOR_ETL.className(), "Polls the Glue ETL run and reads its manifest",
                512, Duration.minutes(1), env(ARTIFACT_BUCKET, bucket, GLUE_JOB_NAME, props.etlJob().jobName()));
        props.etlJob().grantMonitor(monitorEtl);
        storage.grantRunsRead(monitorEtl, "etl/manifest.json");
        // With s3:ListBucket a missing key answers 404 NoSuchKey; without it, 403 (GetObject API Reference).
        storage.grantRunsList(monitorEtl);

        String trainingJobs = sagemakerArn(stack, "training-job", prefix + "-train-*");
        String processingJobs = sagemakerArn(stack, "processing-job", prefix + "-eval-*");
        String keyArn = storage.key().getKeyArn();

        launchTraining = function(props, "LaunchTraining", Handler.LAUNCH_TRAINING.className(),
                "Creates the SageMaker training job of a pipeline execution", 1024, Duration.minutes(2),
                env(ARTIFACT_BUCKET, bucket, SAGEMAKER_ROLE_ARN, props.jobRole().role().getRoleArn(),
                        JOB_NAME_PREFIX, prefix, KMS_KEY_ARN, keyArn));
        launchTraining.allow(List.of("sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:AddTags"),
                List.of(trainingJobs));
        props.jobRole().grantPassRole(launchTraining);
        grantKeyForJobs(launchTraining, keyArn);

        monitorTraining = function(props, "MonitorTraining", Handler.MONITOR_TRAINING.className(),
                "Polls the SageMaker training job", 512, Duration.minutes(1), env());
        monitorTraining.allow(List.of("sagemaker:DescribeTrainingJob"), List.of(trainingJobs));

        evaluate = function(props, "Evaluate", Handler.EVALUATE.className(),
                "Runs the evaluation processing job, applies the quality gate, registers the model package",
                1024, Duration.minutes(2), env(ARTIFACT_BUCKET, bucket, SAGEMAKER_ROLE_ARN, props.jobRole().role().getRoleArn(),
                        MODEL_PACKAGE_GROUP, props.registry().groupName(), JOB_NAME_PREFIX, prefix, KMS_KEY_ARN, keyArn,
                        INFERENCE_INSTANCE_TYPES, String.join(",", props.inferenceInstanceTypes())));
        evaluate.allow(List.of("sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:AddTags"),
                List.of(processingJobs));
        props.jobRole().grantPassRole(evaluate);
        props.registry().grantRegister(evaluate);
        storage.grantRunsRead(evaluate, "evaluation/*");
        storage.grantRunsList(evaluate);
        grantKeyForJobs(evaluate, keyArn);

        approveModel = function(props, "ApproveModel", Handler.APPROVE_MODEL.className(),
                "Sets the model package to Approved after the manual approval", 512, Duration.minutes(1),
                env(MODEL_PACKAGE_GROUP, props.registry().groupName()));
        props.registry().grantApprove(approveModel);

        verifyEndpoint = function(props, "VerifyEndpoint", Handler.VERIFY_ENDPOINT.className(),
                "Checks after a deploy that the endpoint serves this execution's config and model; records PRD in the registry",
                512, Duration.minutes(1), env(MODEL_PACKAGE_GROUP, props.registry().groupName()));
        List<String> endpoints = new java.util.ArrayList<>();
        List<String> configs = new java.util.ArrayList<>();
        List<String> models = new java.util.ArrayList<>();
        for (String name : props.endpointNames()) {
            endpoints.add(sagemakerArn(stack, "endpoint", name));
            // The endpoint templates name configs and models <endpoint>-<execution id>.
            configs.add(sagemakerArn(stack, "endpoint-config", name + "-*"));
            models.add(sagemakerArn(stack, "model", name + "-*"));
        }
        verifyEndpoint.allow(List.of("sagemaker:DescribeEndpoint"), endpoints);
        verifyEndpoint.allow(List.of("sagemaker:DescribeEndpointConfig"), configs);
        verifyEndpoint.allow(List.of("sagemaker:DescribeModel"), models);
        verifyEndpoint.allow(List.of("sagemaker:ListModelPackages"), List.of("*"));
        verifyEndpoint.allow(List.of("sagemaker:UpdateModelPackage"), List.of(props.registry().packagesArn()));

        String group = props.registry().groupName().toLowerCase(Locale.ROOT);
        for (JavaFunction f : all()) {
            f.allow(List.of("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"), List.of("*"));
            Suppress.nag(f.role(), "AwsSolutions-IAM5[Resource::*]", "codepipeline:PutJobSuccessResult/PutJobFailureResult"
                    + " support no resource-level permissions (Service Authorization Reference)"
                    + (f == evaluate ? "; so does sagemaker:ListModelPackages (champion lookup)" : "")
                    + (f == verifyEndpoint ? "; so does sagemaker:ListModelPackages (which version is in Production)" : "") + ".");
        }
        String jobsReason = "Job names are derived from the pipeline execution id at run time (JobNames.forExecution);"
                + " the pattern is limited to this project's prefix and job kind.";
        for (JavaFunction f : List.of(launchTraining, monitorTraining)) {
            Suppress.nag(f.role(), NagIds.resource(NagIds.arn("sagemaker", "training-job/" + prefix.toLowerCase(Locale.ROOT) + "-train-*")), jobsReason);
        }
        Suppress.nag(evaluate.role(), NagIds.resource(NagIds.arn("sagemaker", "processing-job/" + prefix.toLowerCase(Locale.ROOT) + "-eval-*")), jobsReason);
        for (String name : props.endpointNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            Suppress.nag(verifyEndpoint.role(), NagIds.resource(NagIds.arn("sagemaker", "endpoint-config/" + lower + "-*")),
                    "Endpoint configs are named <endpoint>-<pipeline execution id> by the endpoint template at deploy time.");
            Suppress.nag(verifyEndpoint.role(), NagIds.resource(NagIds.arn("sagemaker", "model/" + lower + "-*")),
                    "Models are named <endpoint>-<pipeline execution id> by the endpoint template at deploy time.");
        }
        for (JavaFunction f : List.of(evaluate, approveModel, verifyEndpoint)) {
            Suppress.nag(f.role(), NagIds.resource(NagIds.arn("sagemaker", "model-package/" + group + "/*")),
                    "Model package versions of this one group are numbered by SageMaker at registration time.");
        }
    }

    private static void grantKeyForJobs(JavaFunction f, String keyArn) {
        // Passing KmsKeyId to CreateTrainingJob/CreateProcessingJob requires the caller to use the key.
        f.allow(List.of("kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"), List.of(keyArn));
        f.addToRolePolicy(software.amazon.awscdk.services.iam.PolicyStatement.Builder.create()
                .actions(List.of("kms:CreateGrant"))
                .resources(List.of(keyArn))
                .conditions(Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true")))
                .build());
    }

    private JavaFunction function(PipelineHandlersProps props, String id, String handler, String description, int memory, Duration timeout,
            Map<String, String> environment) {
        return new JavaFunction(this, id, JavaFunctionProps.builder()
                .code(props.code()).handler(handler).description(description)
                .memoryMb(memory).timeout(timeout).environment(environment)
                .logKey(props.storage().key()).logRetention(props.logRetention()).logRemoval(props.logRemoval())
                .build());
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    static String sagemakerArn(Stack stack, String resource, String name) {
        return stack.formatArn(ArnComponents.builder().service("sagemaker").resource(resource)
                .resourceName(name.toLowerCase(Locale.ROOT)).build());
    }

    public List<JavaFunction> all() {
        return List.of(launchEtl, monitorEtl, launchTraining, monitorTraining, evaluate, approveModel, verifyEndpoint);
    }

    public JavaFunction launchEtl() {
        return launchEtl;
    }

    public JavaFunction monitorEtl() {
        return monitorEtl;
    }

    public JavaFunction launchTraining() {
        return launchTraining;
    }

    public JavaFunction monitorTraining() {
        return monitorTraining;
    }

    public JavaFunction evaluate() {
        return evaluate;
    }

    public JavaFunction approveModel() {
        return approveModel;
    }

    public JavaFunction verifyEndpoint() {
        return verifyEndpoint;
    }
}
