package io.mlops.lambdas.training;

import io.mlops.lambdas.naming.JobNames;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.UserParameters;

/**
 * UserParameters of the MonitorTraining action.
 *
 * @param trainingJobName required: {@code #{TrainLaunch.TrainingJobName}}, the job LaunchTraining created or reused
 */
public record MonitorTrainingParams(String trainingJobName) implements UserParameters {

    public MonitorTrainingParams {
        trainingJobName = trainingJobName == null ? null : trainingJobName.trim();
    }

    @Override
    public void validate() {
        String name = UserParameters.requireText(trainingJobName, "trainingJobName");
        if (!JobNames.isValid(name)) {
            throw JobFailedException.configuration("user parameter 'trainingJobName' is not a SageMaker training job "
                    + "name (1-63 characters, [a-zA-Z0-9](-*[a-zA-Z0-9])*); received '" + name + "'. Wire it to the "
                    + "LaunchTraining action's output variable (#{TrainLaunch.TrainingJobName}).");
        }
    }
}
