package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.systemtests.cli.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunOptionsTest {
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 11, 22, 14, 5, 9);

    @TempDir
    Path repo;

    @BeforeEach
    void fakeRepository() throws IOException {
        Files.createDirectories(repo.resolve("etl/bin"));
        Files.createDirectories(repo.resolve("etl/data"));
        Files.createDirectories(repo.resolve("model-container/bin"));
        Files.createDirectories(repo.resolve("config"));
        Files.createDirectories(repo.resolve("system-tests"));
        Files.writeString(repo.resolve("etl/bin/run-local"), "#!/bin/sh\n");
        Files.writeString(repo.resolve("model-container/bin/train"), "#!/usr/bin/python3\n");
        Files.writeString(repo.resolve("etl/data/bank-additional.zip"), "zip");
        Files.writeString(repo.resolve("config/run-settings.json"), "{}");
    }

    private LocalRunOptions parse(Path cwd, String... args) {
        return LocalRunOptions.parse(args, cwd, NOW, new PrintStream(new ByteArrayOutputStream())).orElseThrow();
    }

    @Test
    void defaultsComeFromTheRepositoryFoundAboveTheCurrentDirectory() {
        LocalRunOptions options = parse(repo.resolve("system-tests"));

        assertThat(options.repo()).isEqualTo(repo.toAbsolutePath().normalize());
        assertThat(options.dataset()).isEqualTo(options.repo().resolve("etl/data/bank-additional.zip"));
        assertThat(options.runSettings()).isEqualTo(options.repo().resolve("config/run-settings.json"));
        assertThat(options.etlSettings()).isEmpty();
        assertThat(options.work()).isEqualTo(options.repo().resolve("work/local-run/20261122-140509"));
        assertThat(options.registry()).isEqualTo(options.repo().resolve("work/local-run/registry"));
        assertThat(options.loadDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.loadRequests()).isEqualTo(20_000);
        assertThat(options.port()).isZero();
        assertThat(options.runId()).isEqualTo("local-20261122-140509");
        options.validate();
    }

    @Test
    void pathsOnTheCommandLineAreTakenFromTheCurrentDirectory() throws IOException {
        Path elsewhere = Files.createDirectories(repo.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("other.zip"), "zip");
        LocalRunOptions options = parse(elsewhere, "--repo", "..", "--dataset", "other.zip", "--work", "runs/one",
                "--registry", "reg", "--load-duration", "3s", "--load-requests", "50", "--port", "18080");

        assertThat(options.dataset()).isEqualTo(elsewhere.resolve("other.zip"));
        assertThat(options.work()).isEqualTo(elsewhere.resolve("runs/one"));
        assertThat(options.registry()).isEqualTo(elsewhere.resolve("reg"));
        assertThat(options.loadDuration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.loadRequests()).isEqualTo(50);
        assertThat(options.port()).isEqualTo(18080);
        assertThat(options.runId()).isEqualTo("local-one");
    }

    @Test
    void theDefaultWorkFolderNeverReusesAnEarlierRun() throws IOException {
        Files.createDirectories(repo.resolve("work/local-run/20261122-140509"));
        Files.createDirectories(repo.resolve("work/local-run/20261122-140509-2"));

        assertThat(parse(repo).work().getFileName().toString()).isEqualTo("20261122-140509-3");
    }

    @Test
    void failsOnAMissingDatasetNamingItAndTheFix() {
        LocalRunOptions options = parse(repo, "--dataset", "nope.zip");

        assertThatThrownBy(options::validate).isInstanceOf(UsageException.class)
                .hasMessageContaining("--dataset " + repo.resolve("nope.zip"))
                .hasMessageContaining("does not exist").hasMessageContaining(".zip, .csv or .csv.gz");
    }

    @Test
    void failsOnAWorkFolderThatHoldsFiles() throws IOException {
        Path work = Files.createDirectories(repo.resolve("busy"));
        Files.writeString(work.resolve("run.json"), "{}");

        assertThatThrownBy(() -> parse(repo, "--work", "busy").validate()).isInstanceOf(UsageException.class)
                .hasMessageContaining("--work " + work).hasMessageContaining("already holds files");
    }

    @Test
    void failsWhenTheRegistryIsInsideTheWorkFolder() {
        assertThatThrownBy(() -> parse(repo, "--work", "w", "--registry", "w/registry").validate())
                .isInstanceOf(UsageException.class).hasMessageContaining("must not contain each other");
    }

    @Test
    void failsOnUnboundedOrWrongLoadSettings() {
        assertThatThrownBy(() -> parse(repo, "--load-duration", "0s")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--load-duration");
        assertThatThrownBy(() -> parse(repo, "--load-duration", "2h")).isInstanceOf(UsageException.class)
                .hasMessageContaining("between 1ms and 10m");
        assertThatThrownBy(() -> parse(repo, "--load-requests", "0")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--load-requests must be at least 1");
        assertThatThrownBy(() -> parse(repo, "--port", "70000")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> parse(repo, "--max-p99-ms", "-1")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--max-p99-ms");
    }

    @Test
    void failsOnAnUnknownOptionSuggestingTheClosest() {
        assertThatThrownBy(() -> parse(repo, "--datset", "x.zip")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--datset").hasMessageContaining("did you mean --dataset");
    }

    @Test
    void failsOutsideTheRepository(@TempDir Path nowhere) {
        assertThatThrownBy(() -> parse(nowhere)).isInstanceOf(UsageException.class)
                .hasMessageContaining("cannot find the repository root").hasMessageContaining("--repo");
        assertThatThrownBy(() -> parse(repo, "--repo", nowhere.toString())).isInstanceOf(UsageException.class)
                .hasMessageContaining("is not the repository root");
    }

    @Test
    void helpIsPrintedInsteadOfRunning() {
        ByteArrayOutputStream help = new ByteArrayOutputStream();

        assertThat(LocalRunOptions.parse(new String[] {"--help"}, repo, NOW, new PrintStream(help))).isEmpty();
        assertThat(help.toString()).contains("--dataset FILE", "--settings FILE", "--etl-settings FILE", "--work DIR",
                "--load-duration TIME", "--load-requests N", "--port PORT");
    }
}
