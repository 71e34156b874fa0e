package io.mlops.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.infra.stacks.PipelineStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

/**
 * Test apps built like {@code cdk synth} builds them: the context of the repository's cdk.json, the
 * real source files, and the built jars when they exist. When a sibling module has not been built
 * yet, an explicit placeholder jar from a temp directory stands in (AssetPaths.withJars), so these
 * tests do not depend on the reactor order; production synth never does this.
 */
public final class TestApps {
    public static final Path REPO_ROOT = AssetPaths.findRepoRoot(Path.of("").toAbsolutePath());
    private static AssetPaths assets;

    private TestApps() {
    }

    public static Map<String, Object> cdkJsonContext() {
        try {
            Map<String, Object> cdkJson = new ObjectMapper().readValue(REPO_ROOT.resolve("cdk.json").toFile(),
                    new TypeReference<Map<String, Object>>() { });
            @SuppressWarnings("unchecked")
            Map<String, Object> context = (Map<String, Object>) cdkJson.get("context");
            return new LinkedHashMap<>(context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static App app(Map<String, Object> overrides) {
        Map<String, Object> context = cdkJsonContext();
        context.putAll(overrides);
        try {
            Path outdir = Files.createTempDirectory("infra-test-cdk.out");
            deleteOnExit(outdir);
            return new App(AppProps.builder().context(context).outdir(outdir.toString()).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static synchronized AssetPaths assets() {
        if (assets == null) {
            Path lambda = REPO_ROOT.resolve(AssetPaths.LAMBDA_JAR);
            Path systemTests = REPO_ROOT.resolve(AssetPaths.SYSTEM_TEST_JAR);
            if (Files.isRegularFile(lambda) && Files.isRegularFile(systemTests)) {
                assets = AssetPaths.fromRepoRoot(REPO_ROOT);
            } else {
                assets = AssetPaths.withJars(REPO_ROOT, existingOrPlaceholder(lambda), existingOrPlaceholder(systemTests));
            }
        }
        return assets;
    }

    private static Path existingOrPlaceholder(Path jar) {
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        try {
            Path dir = Files.createTempDirectory("infra-test-jars");
            deleteOnExit(dir);
            Path placeholder = dir.resolve(jar.getFileName());
            // A valid, empty zip (end-of-central-directory record only).
            byte[] emptyZip = {0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            Files.write(placeholder, emptyZip);
            System.err.println("[infra tests] " + jar + " is not built yet: using the placeholder " + placeholder);
            return placeholder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Staged assets (jars) make each outdir tens of MB: remove them when the test JVM ends. */
    static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort on a temp directory
            }
        }));
    }

    /** The whole app with both gates, synthesized once per JVM. */
    public static synchronized PipelineStack gatedStack() {
        if (gated == null) {
            App app = app(Map.of());
            gated = MlopsApp.build(app, assets(), true);
            app.synth();
        }
        return gated;
    }

    private static PipelineStack gated;
}
