package io.mlops.localrun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code model.tar.gz} as SageMaker makes it from a training job's {@code /opt/ml/model/}: the folder's
 * content at the archive's root ({@code tar -czf model.tar.gz -C model .}).
 */
final class ModelArchive {
    private ModelArchive() {
    }

    static void pack(Path modelDir, Path tarGz, Path log) throws IOException {
        Subprocess.Exit exit = Subprocess.run(List.of("tar", "-czf", tarGz.toString(), "-C", modelDir.toString(), "."),
                Map.of(), modelDir, log, Duration.ofMinutes(5), line -> { });
        if (!exit.ok() || !Files.isRegularFile(tarGz) || Files.size(tarGz) == 0) {
            throw new StageFailedException("cannot pack " + modelDir + " into " + tarGz + " with tar ("
                    + (exit.timedOut() ? "timed out" : "exit " + exit.code()) + "); log: " + log);
        }
    }
}
