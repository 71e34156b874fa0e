package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRegistryTest {
    @TempDir
    Path root;

    static RegistryEntry draft(String status, double auc) {
        return new RegistryEntry("bank-marketing", 0, status, "2026-11-22T14:00:00Z", "local-test",
                new RegistryEntry.Gate("auc", auc, 0.75, 0.01, null, null, !RegistryEntry.REJECTED.equals(status),
                        List.of("auc " + auc + " >= threshold 0.75 (pass)")),
                Map.of("auc", auc), Map.of("validation:roc_auc", auc - 0.01), Map.of("algorithm", "hist_gradient_boosting"),
                new RegistryEntry.Dataset("/data/bank.zip", "e689f38c", "bank-additional-full.csv", 41188),
                Map.of("modelData", "/work/opt/ml/processing/input/model/model.tar.gz"));
    }

    @Test
    void registersVersionsInOrderAndLeavesOnlyTheirFiles() throws IOException {
        LocalRegistry registry = new LocalRegistry(root);

        RegistryEntry first = registry.register(draft(RegistryEntry.PENDING, 0.81));
        RegistryEntry second = registry.register(draft(RegistryEntry.REJECTED, 0.70));

        assertThat(first.version()).isEqualTo(1);
        assertThat(second.version()).isEqualTo(2);
        try (Stream<Path> files = Files.list(root.resolve("bank-marketing"))) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly("v1.json", "v2.json");
        }
        assertThat(registry.entries("bank-marketing")).extracting(RegistryEntry::version, RegistryEntry::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, RegistryEntry.PENDING),
                        org.assertj.core.groups.Tuple.tuple(2, RegistryEntry.REJECTED));
        assertThat(registry.entries("bank-marketing").get(0)).isEqualTo(first);
    }

    @Test
    void theChampionIsTheNewestApprovedVersion() throws IOException {
        LocalRegistry registry = new LocalRegistry(root);
        assertThat(registry.champion("bank-marketing")).isEmpty();
        registry.register(draft(RegistryEntry.PENDING, 0.80));
        registry.register(draft(RegistryEntry.PENDING, 0.82));
        registry.register(draft(RegistryEntry.PENDING, 0.79));
        assertThat(registry.champion("bank-marketing")).as("nothing approved yet").isEmpty();

        approve(registry.file("bank-marketing", 1));
        approve(registry.file("bank-marketing", 2));

        assertThat(registry.champion("bank-marketing")).hasValueSatisfying(c -> {
            assertThat(c.label()).isEqualTo("v2");
            assertThat(c.metrics()).containsEntry("auc", 0.82);
        });
    }

    @Test
    void concurrentRegistrationsGetDistinctVersions() throws Exception {
        LocalRegistry registry = new LocalRegistry(root);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<RegistryEntry>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < 24; i++) {
                Callable<RegistryEntry> task = () -> registry.register(draft(RegistryEntry.PENDING, 0.8));
                futures.add(pool.submit(task));
            }
            List<Integer> versions = new ArrayList<>();
            for (Future<RegistryEntry> f : futures) {
                versions.add(f.get().version());
            }
            assertThat(versions).doesNotHaveDuplicates().hasSize(24).allMatch(v -> v >= 1 && v <= 24);
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.entries("bank-marketing")).hasSize(24);
        try (Stream<Path> files = Files.list(root.resolve("bank-marketing"))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no temporary file is left")
                    .allMatch(n -> n.matches("v\\d+\\.json"));
        }
    }

    @Test
    void failsOnAnEntryWithAnUnknownStatusNamingTheFileAndTheValues() throws IOException {
        LocalRegistry registry = new LocalRegistry(root);
        registry.register(draft(RegistryEntry.PENDING, 0.8));
        Path file = registry.file("bank-marketing", 1);
        Files.writeString(file, Files.readString(file).replace(RegistryEntry.PENDING, "approved"));

        assertThatThrownBy(() -> registry.champion("bank-marketing")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'approved'")
                .hasMessageContaining("Approved").hasMessageContaining("PendingManualApproval");
    }

    @Test
    void failsOnAnEntryThatIsNotJson() throws IOException {
        Path dir = Files.createDirectories(root.resolve("bank-marketing"));
        Files.writeString(dir.resolve("v1.json"), "{not json");

        assertThatThrownBy(() -> new LocalRegistry(root).entries("bank-marketing"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("v1.json").hasMessageContaining("not valid JSON");
    }

    @Test
    void groupNamesAreSafeFolderNames() {
        assertThat(LocalRegistry.groupName("bank-marketing")).isEqualTo("bank-marketing");
        assertThat(LocalRegistry.groupName("My model / v2")).isEqualTo("My-model-v2");
        assertThat(LocalRegistry.groupName("../etc")).isEqualTo("etc");
        assertThat(LocalRegistry.groupName(null)).isEqualTo("model");
        assertThatThrownBy(() -> new LocalRegistry(root).groupDir("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    static void approve(Path file) throws IOException {
        String json = Files.readString(file);
        Files.writeString(file, json.replace("\"" + RegistryEntry.PENDING + "\"", "\"" + RegistryEntry.APPROVED + "\""));
    }
}
