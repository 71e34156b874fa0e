package io.mlops.contract.actions;

/** The ApproveModel stage's action (handler {@code ApproveModelHandler}). */
public final class ApproveModel {
    private ApproveModel() {
    }

    /**
     * @param modelPackageArn required: {@link Evaluate.Output#ModelPackageArn}
     * @param executionId     required: the pipeline execution id
     */
    public record Input(String modelPackageArn, String executionId) implements ActionInput {
    }

    public enum Output implements OutputVariable { ModelPackageArn, ModelPackageVersion }
}
