package io.mlops.contract.actions;

/** The ETL stage's Monitor action (handler {@code MonitorEtlHandler}). */
public final class MonitorEtl {
    private MonitorEtl() {
    }

    /**
     * @param executionId required: the pipeline execution id
     * @param jobRunId    required: {@link LaunchEtl.Output#JobRunId}
     */
    public record Input(String executionId, String jobRunId) implements ActionInput {
    }

    public enum Output implements OutputVariable {
        RowsRead, TrainRows, ValidationRows, TestRows, RejectedRows, Duplicates, DatasetSha256, EtlOutputUri
    }
}
