package io.mlops.infra.stacks;

import io.mlops.infra.config.MlopsConfig;
import io.mlops.infra.config.MlopsConfig.EndpointSettings;
import io.mlops.infra.config.Regions;
import io.mlops.infra.constructs.ModelEndpoint;
import java.util.List;
import software.amazon.awscdk.BootstraplessSynthesizer;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.TagProps;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalableTarget;
import software.constructs.Construct;

/**
 * The endpoint of one stage (DEV or PRD), deployed by the pipeline's CloudFormation action (not by
 * {@code cdk deploy}). Sizes come from the CDK config (baked in at synth); what changes per run or
 * lives in the pipeline stack arrives as parameters, set by the action's parameter overrides:
 * {@value #MODEL_PACKAGE_ARN}, {@value #EXECUTION_ID}, {@value #MODEL_ROLE_ARN}, {@value #KMS_KEY_ARN},
 * for DEV {@value #MODEL_IMAGE_URI} and {@value #MODEL_DATA_URL} (DEV builds its model from the package's image
 * and model data, not from the package: ADR 0103), and for PRD {@value #DATA_CAPTURE_URI}, {@value #ALARM_TOPIC_ARN}.
 *
 * <p>Synthesized with the bootstrapless synthesizer: no assets, no bootstrap-version rule, so the
 * template deploys with the pipeline's CloudFormation role alone.
 */
public final class EndpointStack extends Stack {
    public static final String MODEL_PACKAGE_ARN = "ModelPackageArn";
    public static final String EXECUTION_ID = "PipelineExecutionId";
    public static final String MODEL_ROLE_ARN = "ModelExecutionRoleArn";
    public static final String KMS_KEY_ARN = "KmsKeyArn";
    public static final String DATA_CAPTURE_URI = "DataCaptureS3Uri";
    public static final String ALARM_TOPIC_ARN = "AlarmTopicArn";
    public static final String MODEL_IMAGE_URI = "ModelImageUri";
    public static final String MODEL_DATA_URL = "ModelDataUrl";
    /** Digest-pinned ECR image (CreateModel ContainerDefinition.Image: at most 255 characters). */
    static final String IMAGE_PATTERN =
            "[0-9]{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+@sha256:[a-f0-9]{64}";
    /** The training job's single gzip tar archive (ContainerDefinition.ModelDataUrl: s3://, .tar.gz, at most 1024). */
    static final String MODEL_DATA_PATTERN = "s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\\.tar\\.gz";

    private final ModelEndpoint endpoint;
    private final boolean production;

    public EndpointStack(Construct scope, String id, MlopsConfig config, EndpointSettings settings) {
        super(scope, id, StackProps.builder()
                .stackName(config.endpointStackName(settings))
                .description("SageMaker endpoint " + config.endpointName(settings) + " (" + settings.stage().toUpperCase()
                        + ") of the MLOps pipeline; deployed by the pipeline, do not deploy by hand")
                .synthesizer(new BootstraplessSynthesizer())
                .build());
        production = settings.stage().equals("prd");
        CfnParameter packageArn = CfnParameter.Builder.create(this, MODEL_PACKAGE_ARN)
                .type("String")
                .description(production ? "Model package (version) to serve: the Evaluate action's ModelPackageArn"
                        : "Model package (version) whose image and model data this endpoint serves: the Evaluate action's ModelPackageArn")
                .allowedPattern("arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/.+")
                .build();
        CfnParameter executionId = CfnParameter.Builder.create(this, EXECUTION_ID)
                .type("String")
                .description("CodePipeline execution id that deploys this version (names the model and config)")
                .allowedPattern("[a-zA-Z0-9-]{1,36}")
                .build();
        CfnParameter roleArn = CfnParameter.Builder.create(this, MODEL_ROLE_ARN)
                .type("String")
                .description("SageMaker hosting role (pipeline stack)")
                .allowedPattern("arn:aws[a-z-]*:iam::[0-9]{12}:role/.+")
                .build();
        CfnParameter keyArn = CfnParameter.Builder.create(this, KMS_KEY_ARN)
                .type("String")
                .description("KMS key of the deployment (pipeline stack)")
                .allowedPattern("arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+")
                .build();
        ModelEndpoint.ModelSource source;
        if (production) {
            source = new ModelEndpoint.ModelPackage(packageArn.getValueAsString());
        } else {
            CfnParameter image = CfnParameter.Builder.create(this, MODEL_IMAGE_URI)
                    .type("String")
                    .description("Container image of the model package (digest-pinned): the Evaluate action's ModelImageUri")
                    .allowedPattern(IMAGE_PATTERN)
                    .maxLength(255)
                    .build();
            CfnParameter data = CfnParameter.Builder.create(this, MODEL_DATA_URL)
                    .type("String")
                    .description("Model data of the model package (model.tar.gz): the Evaluate action's ModelDataUrl")
                    .allowedPattern(MODEL_DATA_PATTERN)
                    .maxLength(1024)
                    .build();
            source = new ModelEndpoint.ImageAndModelData(image.getValueAsString(), data.getValueAsString());
        }
        String prefix = config.endpointName(settings) + "-";
        String versionedName = Fn.join("", List.of(prefix, executionId.getValueAsString()));

        ModelEndpoint.DataCapture capture = null;
        ModelEndpoint.Autoscaling scaling = null;
        ModelEndpoint.BlueGreen blueGreen = null;
        if (production) {
            CfnParameter captureUri = CfnParameter.Builder.create(this, DATA_CAPTURE_URI)
                    .type("String")
                    .description("s3:// prefix for captured requests and responses (KMS bucket)")
                    .allowedPattern("s3://.+")
                    .build();
            CfnParameter topic = CfnParameter.Builder.create(this, ALARM_TOPIC_ARN)
                    .type("String")
                    .description("SNS topic the rollback alarms notify")
                    .allowedPattern("arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+")
                    .build();
            capture = new ModelEndpoint.DataCapture(captureUri.getValueAsString(), config.blueGreen().dataCapturePercent());
            scaling = new ModelEndpoint.Autoscaling(config.autoscaling().minCapacity(), config.autoscaling().maxCapacity(),
                    config.autoscaling().targetInvocationsPerInstance());
            blueGreen = new ModelEndpoint.BlueGreen(config.blueGreen().canaryInstances(), config.blueGreen().canaryBakeSeconds(),
                    config.blueGreen().terminationWaitSeconds(), config.alarms().max5xxErrorsPerMinute(),
                    config.alarms().maxModelLatencyMillis(), topic.getValueAsString());
        }
        endpoint = new ModelEndpoint(this, "Endpoint", new ModelEndpoint.Props(
                config.endpointName(settings), versionedName, versionedName, source,
                roleArn.getValueAsString(), keyArn.getValueAsString(), settings.instanceType(), settings.instanceCount(),
                capture, scaling, blueGreen));
        // AWS::ApplicationAutoScaling::ScalableTarget has no Tags property (CloudFormation Template Reference;
        // cfn-lint E3002): CloudFormation rejects the template if the tag aspect adds one.
        TagProps taggable = TagProps.builder().excludeResourceTypes(List.of(CfnScalableTarget.CFN_RESOURCE_TYPE_NAME)).build();
        Tags.of(this).add(io.mlops.contract.Tags.PROJECT, config.projectName(), taggable);
        Tags.of(this).add("mlops:stage", settings.stage(), taggable);
        Regions.addRule(this);

        CfnOutput.Builder.create(this, "EndpointName").value(endpoint.endpoint().getAttrEndpointName())
                .description("Name of the " + settings.stage().toUpperCase() + " endpoint").build();
        CfnOutput.Builder.create(this, "ServedModelPackageArn").value(packageArn.getValueAsString())
                .description("Model package this endpoint serves").build();
    }

    public ModelEndpoint endpoint() {
        return endpoint;
    }

    public boolean production() {
        return production;
    }

    /** File name of the synthesized template (artifact id + .template.json). */
    public String templateFileName() {
        return getArtifactId() + ".template.json";
    }
}
