package io.mlops.contract.actions;

/** The Train stage's Monitor action (handler {@code MonitorTrainingHandler}). */
public final class MonitorTraining {
    private MonitorTraining() {
    }

    /** @param trainingJobName required: {@link LaunchTraining.Output#TrainingJobName} */
    public record Input(String trainingJobName) implements ActionInput {
    }

    /** Fixed variables; the job's final metrics are added as further variables, one per metric. */
    public enum Output implements OutputVariable { ModelDataUrl, TrainingJobName, BillableSeconds }
}
