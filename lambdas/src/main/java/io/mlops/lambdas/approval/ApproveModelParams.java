package io.mlops.lambdas.approval;

import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.UserParameters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * UserParameters of the ApproveModel action (JSON; unknown keys fail).
 *
 * @param modelPackageArn required; the package the Evaluate action registered, {@code #{Evaluate.ModelPackageArn}}
 * @param executionId required; {@code #{codepipeline.PipelineExecutionId}}, named in the approval description
 */
public record ApproveModelParams(String modelPackageArn, String executionId) implements UserParameters {

    /** {@code arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>}. */
    static final Pattern VERSIONED_PACKAGE_ARN = Pattern.compile(
            "arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\\d{12}:model-package/(?<group>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})/(?<version>\\d+)");

    public ApproveModelParams {
        modelPackageArn = modelPackageArn == null ? null : modelPackageArn.trim();
        executionId = executionId == null ? null : executionId.trim();
    }

    @Override
    public void validate() {
        String arn = UserParameters.requireText(modelPackageArn, "modelPackageArn");
        UserParameters.requireText(executionId, "executionId");
        if (!VERSIONED_PACKAGE_ARN.matcher(arn).matches()) {
            throw JobFailedException.configuration("user parameter 'modelPackageArn' is not the ARN of a versioned model "
                    + "package: '" + arn + "'. Expected arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>, "
                    + "i.e. #{Evaluate.ModelPackageArn}.");
        }
    }

    /** The group named in the ARN (valid after {@link #validate()}). */
    String groupInArn() {
        Matcher m = VERSIONED_PACKAGE_ARN.matcher(modelPackageArn);
        return m.matches() ? m.group("group") : null;
    }
}
