package io.mlops.infra.stacks;

import io.mlops.infra.constructs.EndpointTemplateContract;
import io.mlops.infra.config.MlopsConfig;
import io.mlops.infra.config.MlopsConfig.EndpointSettings;
import io.mlops.infra.config.Regions;
import io.mlops.infra.constructs.ModelEndpoint;
import io.mlops.infra.constructs.ModelEndpointProps;
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
 * {@value EndpointTemplateContract#MODEL_PACKAGE_ARN}, {@value EndpointTemplateContract#EXECUTION_ID}, {@value EndpointTemplateContract#MODEL_ROLE_ARN}, {@value EndpointTemplateContract#KMS_KEY_ARN},
 * for DEV {@value EndpointTemplateContract#MODEL_IMAGE_URI} and {@value EndpointTemplateContract#MODEL_DATA_URL} (DEV builds its model from the package's image
 * and model data, not from the package: ADR 0103), and for PRD {@value EndpointTemplateContract#DATA_CAPTURE_URI}, {@value EndpointTemplateContract#ALARM_TOPIC_ARN}.
 *
 * <p>Synthesized with the bootstrapless synthesizer: no assets, no bootstrap-version rule, so the
 * template deploys with the pipeline's CloudFormation role alone.
 */
public final class EndpointStack extends Stack {
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
                .description("SageMaker endpoint " + config.endpointName(settings) + " (" + settings.stage().label()
                        + ") of the MLOps pipeline; deployed by the pipeline, do not deploy by hand")
                .synthesizer(new BootstraplessSynthesizer())
                .build());
        production = settings.stage().isProduction();
        CfnParameter packageArn = CfnParameter.Builder.create(this, EndpointTemplateContract.MODEL_PACKAGE_ARN)
                .type("String")
                .description(production ? "Model package (version) to serve: the Evaluate action's ModelPackageArn"
                        : "Model package (version) whose image and model data this endpoint serves: the Evaluate action's ModelPackageArn")
                .allowedPattern("arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/.+")
                .build();
        CfnParameter executionId = CfnParameter.Builder.create(this, EndpointTemplateContract.EXECUTION_ID)
                .type("String")
                .description("CodePipeline execution id that deploys this version (names the model and config)")
                .allowedPattern("[a-zA-Z0-9-]{1,36}")
                .build();
        CfnParameter roleArn = CfnParameter.Builder.create(this, EndpointTemplateContract.MODEL_ROLE_ARN)
                .type("String")
                .description("SageMaker hosting role (pipeline stack)")
                .allowedPattern("arn:aws[a-z-]*:iam::[0-9]{12}:role/.+")
                .build();
        // A serverless endpoint has no ML storage volume for the key to encrypt: DEV in serverless mode declares no key
        // parameter (and the pipeline passes none; cfn-lint W2001 flags an unused parameter).
        ModelEndpoint.Serverless serverless = serverless(config, production);
        CfnParameter keyArn = serverless != null ? null : CfnParameter.Builder.create(this, EndpointTemplateContract.KMS_KEY_ARN)
                .type("String")
                .description("KMS key of the deployment (pipeline stack)")
                .allowedPattern("arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+")
                .build();
        ModelEndpoint.ModelSource source;
        if (production) {
            source = new ModelEndpoint.ModelPackage(packageArn.getValueAsString());
        } else {
            CfnParameter image = CfnParameter.Builder.create(this, EndpointTemplateContract.MODEL_IMAGE_URI)
                    .type("String")
                    .description("Container image of the model package (digest-pinned): the Evaluate action's ModelImageUri")
                    .allowedPattern(IMAGE_PATTERN)
                    .maxLength(255)
                    .build();
            CfnParameter data = CfnParameter.Builder.create(this, EndpointTemplateContract.MODEL_DATA_URL)
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
            CfnParameter captureUri = CfnParameter.Builder.create(this, EndpointTemplateContract.DATA_CAPTURE_URI)
                    .type("String")
                    .description("s3:// prefix for captured requests and responses (KMS bucket)")
                    .allowedPattern("s3://.+")
                    .build();
            CfnParameter topic = CfnParameter.Builder.create(this, EndpointTemplateContract.ALARM_TOPIC_ARN)
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
        endpoint = new ModelEndpoint(this, "Endpoint", ModelEndpointProps.builder()
                .endpointName(config.endpointName(settings))
                .modelName(versionedName)
                .endpointConfigName(versionedName)
                .source(source)
                .executionRoleArn(roleArn.getValueAsString())
                .kmsKeyArn(keyArn == null ? null : keyArn.getValueAsString())
                .instanceType(settings.instanceType())
                .instanceCount(settings.instanceCount())
                .dataCapture(capture)
                .autoscaling(scaling)
                .blueGreen(blueGreen)
                .serverless(serverless)
                .build());
        // AWS::ApplicationAutoScaling::ScalableTarget has no Tags property (CloudFormation Template Reference;
        // cfn-lint E3002): CloudFormation rejects the template if the tag aspect adds one.
        TagProps taggable = TagProps.builder().excludeResourceTypes(List.of(CfnScalableTarget.CFN_RESOURCE_TYPE_NAME)).build();
        Tags.of(this).add(io.mlops.contract.Tags.PROJECT, config.projectName(), taggable);
        Tags.of(this).add("mlops:stage", settings.stage().id(), taggable);
        Regions.addRule(this);

        CfnOutput.Builder.create(this, "EndpointName").value(endpoint.endpoint().getAttrEndpointName())
                .description("Name of the " + settings.stage().label() + " endpoint").build();
        CfnOutput.Builder.create(this, "ServedModelPackageArn").value(packageArn.getValueAsString())
                .description("Model package this endpoint serves").build();
    }

    /** DEV in {@code mlops:dev:mode=serverless}: a serverless endpoint; PRD and DEV in instance mode: null. */
    private static ModelEndpoint.Serverless serverless(MlopsConfig config, boolean production) {
        if (production || !config.devEndpoint().serverless()) {
            return null;
        }
        return new ModelEndpoint.Serverless(config.devEndpoint().memorySizeMb(), config.devEndpoint().maxConcurrency());
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
