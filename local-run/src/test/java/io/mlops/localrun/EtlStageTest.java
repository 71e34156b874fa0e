package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtlStageTest {
    @Test
    void passesTheJobsArgumentsAndSkipsGlueOptionsAndThoseTheRunSets() {
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("--seed", "7");
        arguments.put("--split", "80/10/10");
        arguments.put("--enable-metrics", "true");
        arguments.put("--output", "s3://elsewhere/");

        EtlStage.Arguments split = EtlStage.arguments(arguments);

        assertThat(split.passed()).containsExactly("--seed", "7", "--split", "80/10/10");
        assertThat(split.skipped()).containsExactly("--enable-metrics (a Glue option)", "--output (set by the local run)");
    }

    @Test
    void showsTheJobsOwnProgressLinesOnly() {
        assertThat(EtlStage.progressLine("14:01:04.131 INFO  EtlJob: read, validated and de-duplicated 41188 rows"))
                .isEqualTo("read, validated and de-duplicated 41188 rows");
        assertThat(EtlStage.progressLine("run-local: building /x/etl.jar")).isEqualTo("run-local: building /x/etl.jar");
        assertThat(EtlStage.progressLine("13:59:41.303 WARN  NativeCodeLoader: Unable to load native-hadoop")).isNull();
    }

    @Test
    void theFailureTextIsTheJobsOwnMessage(@TempDir Path dir) throws IOException {
        Path log = Files.writeString(dir.resolve("etl.log"), """
                $ etl/bin/run-local --input x.zip
                14:17:50.001 WARN  NativeCodeLoader: Unable to load native-hadoop library
                ETL FAILED: zip archive file:/x.zip is corrupt or truncated (EOFException: ...); re-create the zip
                """);

        assertThat(EtlStage.failureText(log))
                .isEqualTo("ETL FAILED: zip archive file:/x.zip is corrupt or truncated (EOFException: ...); re-create the zip");
    }

    @Test
    void withoutTheJobsMessageTheFailureTextIsTheEndOfTheLog(@TempDir Path dir) throws IOException {
        Path log = Files.writeString(dir.resolve("etl.log"), "run-local: building etl.jar\n[ERROR] COMPILATION ERROR\n");

        assertThat(EtlStage.failureText(log)).contains("without an 'ETL FAILED:' line").contains("[ERROR] COMPILATION ERROR");
    }
}
