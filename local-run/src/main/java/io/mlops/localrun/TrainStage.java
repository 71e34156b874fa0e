package io.mlops.localrun;

import io.mlops.lambdas.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Stage 2: the container's real {@code train} as a local process. {@code <work>/opt/ml} stands in for the
 * container's {@code /opt/ml} ({@code ML_PREFIX}): the ETL's train and validation splits become the channels
 * {@code input/data/{train,validation}/} (as the pipeline's training job gets them), the run settings'
 * {@code training.hyperparameters} become {@code input/config/hyperparameters.json} with every value a string
 * (as SageMaker passes them); the model lands in {@code model/}.
 */
final class TrainStage {
    private TrainStage() {
    }

    /** What comes out of the stage. */
    record Outcome(Path prefix, Path modelDir, Path hyperparametersFile, Map<String, String> hyperparameters,
            Map<String, Double> metrics, Path log) {
    }

    static Outcome run(ModelContainer container, EtlStage.Outcome etl, Map<String, String> hyperparameters, Path prefix,
            Path log, Duration timeout) throws IOException {
        LocalFiles.linkFiles(etl.split("train"), prefix.resolve("input/data/train"));
        LocalFiles.linkFiles(etl.split("validation"), prefix.resolve("input/data/validation"));
        Path config = Files.createDirectories(prefix.resolve("input/config"));
        Path hyperparametersFile = config.resolve("hyperparameters.json");
        Files.writeString(hyperparametersFile, Json.write(hyperparameters) + "\n", StandardCharsets.UTF_8);
        try {
            container.train(prefix, log, timeout);
        } catch (IllegalStateException e) {
            throw new StageFailedException(e.getMessage(), e);
        }
        Path model = prefix.resolve("model");
        for (String file : new String[] {"model.joblib", "schema.json", "metrics.json"}) {
            if (!Files.isRegularFile(model.resolve(file))) {
                throw new StageFailedException("train exited 0 but wrote no " + model.resolve(file)
                        + " (docs/contracts/model-container.md); log: " + log);
            }
        }
        Map<String, Double> metrics = TrainingMetrics.parse(log);
        if (!metrics.containsKey("validation:roc_auc")) {
            throw new StageFailedException("train printed no 'METRIC validation:roc_auc=<float>' line (the training job's "
                    + "objective metric); log: " + log);
        }
        return new Outcome(prefix, model, hyperparametersFile, Map.copyOf(hyperparameters), metrics, log);
    }
}
