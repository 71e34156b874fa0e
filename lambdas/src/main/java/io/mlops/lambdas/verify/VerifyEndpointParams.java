package io.mlops.lambdas.verify;

import io.mlops.contract.actions.VerifyEndpoint;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.UserParameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * UserParameters of the VerifyEndpoint action (JSON; unknown keys fail), as {@link VerifyEndpoint.Input}.
 *
 * @param stage              required: {@code dev} or {@code prd}
 * @param endpointName       required: the endpoint the stage deployed
 * @param executionId        required: {@code #{codepipeline.PipelineExecutionId}}
 * @param endpointConfigName required: the endpoint config this execution's template created
 * @param modelName          required: the model this execution's template created
 * @param modelPackageArn    required: {@code #{Evaluate.ModelPackageArn}}
 * @param imageUri           required for dev ({@code #{Evaluate.ModelImageUri}}), absent for prd
 * @param modelDataUrl       required for dev ({@code #{Evaluate.ModelDataUrl}}), absent for prd
 * @param variantWeights     required, not empty: variant name → expected weight
 */
public record VerifyEndpointParams(String stage, String endpointName, String executionId, String endpointConfigName,
        String modelName, String modelPackageArn, String imageUri, String modelDataUrl, Map<String, Double> variantWeights)
        implements UserParameters {

    /** SageMaker endpoint, endpoint-config and model names: 1-63 characters of [a-zA-Z0-9](-*[a-zA-Z0-9])*. */
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    static final Pattern PACKAGE_ARN = Pattern.compile(
            "arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\\d{12}:model-package/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}/\\d+");

    public VerifyEndpointParams {
        stage = trim(stage);
        endpointName = trim(endpointName);
        executionId = trim(executionId);
        endpointConfigName = trim(endpointConfigName);
        modelName = trim(modelName);
        modelPackageArn = trim(modelPackageArn);
        imageUri = trim(imageUri);
        modelDataUrl = trim(modelDataUrl);
        variantWeights = variantWeights == null ? null : Map.copyOf(new LinkedHashMap<>(variantWeights));
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    public boolean production() {
        return VerifyEndpoint.PRD.equals(stage);
    }

    @Override
    public void validate() {
        String s = UserParameters.requireText(stage, "stage");
        if (!s.equals(VerifyEndpoint.DEV) && !s.equals(VerifyEndpoint.PRD)) {
            throw JobFailedException.configuration("user parameter 'stage' must be '" + VerifyEndpoint.DEV + "' or '"
                    + VerifyEndpoint.PRD + "'; received '" + s + "'. Fix the Verify action in the pipeline stack.");
        }
        for (String[] n : new String[][] {{"endpointName", endpointName}, {"endpointConfigName", endpointConfigName},
                {"modelName", modelName}}) {
            String v = UserParameters.requireText(n[1], n[0]);
            if (!NAME.matcher(v).matches()) {
                throw JobFailedException.configuration("user parameter '" + n[0] + "' is not a SageMaker name (1-63 "
                        + "characters, [a-zA-Z0-9](-*[a-zA-Z0-9])*); received '" + v + "'.");
            }
        }
        UserParameters.requireText(executionId, "executionId");
        String arn = UserParameters.requireText(modelPackageArn, "modelPackageArn");
        if (!PACKAGE_ARN.matcher(arn).matches()) {
            throw JobFailedException.configuration("user parameter 'modelPackageArn' is not the ARN of a versioned model "
                    + "package: '" + arn + "'. Pass #{Evaluate.ModelPackageArn}.");
        }
        if (production()) {
            if (imageUri != null || modelDataUrl != null) {
                throw JobFailedException.configuration("user parameters 'imageUri'/'modelDataUrl' apply to the dev stage "
                        + "only: PRD serves the model package itself (its model names ModelPackageName). Remove them.");
            }
        } else {
            UserParameters.requireText(imageUri, "imageUri");
            UserParameters.requireText(modelDataUrl, "modelDataUrl");
        }
        if (variantWeights == null || variantWeights.isEmpty()) {
            throw JobFailedException.configuration("user parameter 'variantWeights' is required: a JSON object of "
                    + "variant name → expected weight, e.g. {\"AllTraffic\":1.0}.");
        }
        variantWeights.forEach((name, weight) -> {
            if (name == null || !NAME.matcher(name).matches() || weight == null || weight < 0) {
                throw JobFailedException.configuration("user parameter 'variantWeights' has an invalid entry '" + name
                        + "': " + weight + "; names are SageMaker names, weights numbers >= 0.");
            }
        });
    }
}
