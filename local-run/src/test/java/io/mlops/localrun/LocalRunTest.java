package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's usage errors: each names the problem and the fix, exits 2 and creates nothing. */
class LocalRunTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LocalRun.run(args, dir, new PrintStream(out, true), new PrintStream(err, true), false);
    }

    @Test
    void failsWithUsageOnAMissingDatasetBeforeAnyStage() {
        Path work = dir.resolve("work");

        int status = run("--repo", REPO.toString(), "--dataset", "missing.zip", "--work", work.toString(),
                "--registry", dir.resolve("registry").toString());

        assertThat(status).isEqualTo(LocalRun.USAGE);
        assertThat(err.toString()).contains("run-local: --dataset " + dir.resolve("missing.zip") + " does not exist");
        assertThat(out.toString()).doesNotContain("[1/9]");
        assertThat(work).doesNotExist();
    }

    @Test
    void failsWithUsageOnRunSettingsWithAnUnknownKeyNamingIt() throws IOException {
        Path settings = Files.writeString(dir.resolve("run-settings.json"), "{\"qualityGate\": {\"treshold\": 0.8}}");
        Path work = dir.resolve("work");

        int status = run("--repo", REPO.toString(), "--settings", settings.toString(), "--work", work.toString(),
                "--registry", dir.resolve("registry").toString());

        assertThat(status).isEqualTo(LocalRun.USAGE);
        assertThat(err.toString()).contains(settings.toString()).contains("qualityGate.treshold");
        assertThat(work).doesNotExist();
        assertThat(dir.resolve("registry")).doesNotExist();
    }

    @Test
    void failsWithUsageOnAMissingEtlSettingsFile() {
        int status = run("--repo", REPO.toString(), "--etl-settings", "nope.json", "--work", dir.resolve("w").toString(),
                "--registry", dir.resolve("registry").toString());

        assertThat(status).isEqualTo(LocalRun.USAGE);
        assertThat(err.toString()).contains("--etl-settings " + dir.resolve("nope.json") + " is not a file");
    }

    @Test
    void helpExitsZero() {
        assertThat(run("--help")).isEqualTo(LocalRun.PASSED);
        assertThat(out.toString()).contains("Usage: bin/run-local [options]");
    }
}
