package io.mlops.etl;

import com.amazonaws.services.glue.util.Job;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs the Glue entry script (etl/glue/GlueEntry.scala, compiled against test stubs of the Glue API)
 * with arguments the way Glue passes them: Glue's own plus the job's.
 */
class GlueEntryTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void startSparkAndResetTheJobStub() {
        TestSpark.get(); // GlueApp uses the running SparkContext, as on Glue
        Job.reset();
    }

    static void glueMain(String... sysArgs) throws Throwable {
        try {
            // GlueApp is in the default package (as Glue scripts are), which Java code cannot import.
            Class.forName("GlueApp").getMethod("main", String[].class).invoke(null, (Object) sysArgs);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void initialisesRunsAndCommitsTheJobIgnoringGluesOwnArguments() throws Throwable {
        Path input = TestData.write(tmp.resolve("bank.csv"), TestData.bankSample(100));
        Path out = tmp.resolve("out");
        glueMain("--JOB_ID", "j_123", "--JOB_RUN_ID", "jr_456", "--job-bookmark-option", "job-bookmark-disable",
                "--TempDir", "s3://bucket/tmp/", "--JOB_NAME", "mlops-etl", "--enable-metrics", "true",
                "--input", input.toString(), "--output", out.toString(), "--execution-id", "exec-glue", "--seed", "3");

        JsonNode manifest = TestData.manifest(out);
        assertThat(manifest.get("executionId").asText()).isEqualTo("exec-glue");
        assertThat(manifest.at("/settings/seed").asLong()).isEqualTo(3);
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(412);
        assertThat(Job.initialisedWith().isDefined()).isTrue();
        assertThat(Job.initialisedWith().get()._1()).isEqualTo("mlops-etl");
        assertThat(Job.initialisedWith().get()._2()).containsEntry("JOB_NAME", "mlops-etl");
        assertThat(Job.commits()).isEqualTo(1);
    }

    @Test
    void failsTheRunWithoutCommittingWhenTheJobFails() {
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> glueMain("--JOB_NAME", "mlops-etl", "--input", tmp.resolve("missing.zip").toString(),
                "--output", out.toString()))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("missing.zip does not exist");
        assertThat(Job.initialisedWith().isDefined()).isTrue();
        assertThat(Job.commits()).isZero();
    }

    @Test
    void failsWhenARequiredJobArgumentIsMissing() {
        assertThatThrownBy(() -> glueMain("--JOB_NAME", "mlops-etl", "--output", tmp.toString()))
                .isInstanceOf(EtlException.class)
                .hasMessageStartingWith("missing required argument --input");
        assertThat(Job.commits()).isZero();
    }
}
