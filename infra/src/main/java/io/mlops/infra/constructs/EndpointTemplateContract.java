package io.mlops.infra.constructs;

/**
 * What the pipeline's DeployDev and DeployPrd actions and the endpoint templates agree on: the template files
 * (in the EndpointTemplates artifact) and their CloudFormation parameter names. The endpoint stack declares
 * the parameters, {@link MlopsPipeline} passes them as ParameterOverrides.
 */
public final class EndpointTemplateContract {
    public static final String DEV_TEMPLATE = "endpoint-dev.template.json";
    public static final String PRD_TEMPLATE = "endpoint-prd.template.json";

    public static final String MODEL_PACKAGE_ARN = "ModelPackageArn";
    public static final String EXECUTION_ID = "PipelineExecutionId";
    public static final String MODEL_ROLE_ARN = "ModelExecutionRoleArn";
    public static final String KMS_KEY_ARN = "KmsKeyArn";
    /** PRD only. */
    public static final String DATA_CAPTURE_URI = "DataCaptureS3Uri";
    /** PRD only. */
    public static final String ALARM_TOPIC_ARN = "AlarmTopicArn";
    /** DEV only: DEV builds its model from the package's image and model data (ADR 0103). */
    public static final String MODEL_IMAGE_URI = "ModelImageUri";
    /** DEV only. */
    public static final String MODEL_DATA_URL = "ModelDataUrl";

    private EndpointTemplateContract() {
    }
}
