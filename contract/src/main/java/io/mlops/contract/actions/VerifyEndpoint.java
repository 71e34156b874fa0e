package io.mlops.contract.actions;

import java.util.Map;

/**
 * The DeployDev and DeployPrd stages' Verify action (handler {@code VerifyEndpointHandler}), run after the
 * CloudFormation deploy: the endpoint is InService and serves the endpoint config, model and variants this
 * execution deployed (a stack update can report success while SageMaker rolled the endpoint back).
 */
public final class VerifyEndpoint {
    /** {@link Input#stage()} of the DEV endpoint. */
    public static final String DEV = "dev";
    /** {@link Input#stage()} of the PRD endpoint: on success the package is recorded as Production in the registry. */
    public static final String PRD = "prd";

    private VerifyEndpoint() {
    }

    /**
     * @param stage              required: {@link #DEV} or {@link #PRD}
     * @param endpointName       required: the stage's endpoint
     * @param executionId        required: the pipeline execution id
     * @param endpointConfigName required: the endpoint config this execution's template created ({@code <endpoint>-<exec>})
     * @param modelName          required: the model this execution's template created ({@code <endpoint>-<exec>})
     * @param modelPackageArn    required: {@link Evaluate.Output#ModelPackageArn}; PRD's model container must name it
     * @param imageUri           DEV: the container image the model must run ({@link Evaluate.Output#ModelImageUri}); PRD: null
     * @param modelDataUrl       DEV: the model data the model must load ({@link Evaluate.Output#ModelDataUrl}); PRD: null
     * @param variantWeights     required: variant name → the weight it must carry (every variant, no others)
     */
    public record Input(String stage, String endpointName, String executionId, String endpointConfigName, String modelName,
            String modelPackageArn, String imageUri, String modelDataUrl, Map<String, Double> variantWeights)
            implements ActionInput {
    }

    public enum Output implements OutputVariable { EndpointConfigName, ModelName, ModelPackageArn, ArchivedPackages }
}
