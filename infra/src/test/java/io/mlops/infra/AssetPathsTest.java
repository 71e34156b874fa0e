package io.mlops.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssetPathsTest {

    @Test
    void jarNamesFollowTheModuleVersion() {
        assertThat(AssetPaths.VERSION).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(AssetPaths.LAMBDA_JAR).isEqualTo("lambdas/target/lambdas-0.1.0-SNAPSHOT-lambda.jar");
        assertThat(AssetPaths.SYSTEM_TEST_JAR).isEqualTo("system-tests/target/system-tests-0.1.0-SNAPSHOT-lambda.jar");
    }

    @Test
    void findsTheRepositoryRootFromASubdirectory() {
        assertThat(AssetPaths.findRepoRoot(TestApps.REPO_ROOT.resolve("infra/src"))).isEqualTo(TestApps.REPO_ROOT);
    }

    @Test
    void failsWithTheBuildCommandWhenTheLambdaJarIsMissing(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etl/glue"));
        Files.writeString(root.resolve(AssetPaths.GLUE_SCRIPT), "object GlueApp");
        assertThatThrownBy(() -> AssetPaths.fromRepoRoot(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the Lambda handler bundle is missing at " + root.resolve(AssetPaths.LAMBDA_JAR))
                .hasMessageContaining("build it first: mvn -pl lambdas package");
    }

    @Test
    void failsWithTheBuildCommandWhenTheEndpointTestJarIsMissing(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("lambdas/target"));
        Files.writeString(root.resolve(AssetPaths.LAMBDA_JAR), "jar");
        assertThatThrownBy(() -> AssetPaths.fromRepoRoot(root))
                .hasMessageContaining("build it first: mvn -pl system-tests package");
    }

    @Test
    void overridesAreExplicitAndVisible(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("a.jar"), "x");
        AssetPaths paths = AssetPaths.withJars(TestApps.REPO_ROOT, jar, jar);
        assertThat(paths.usesOverrides()).isTrue();
        assertThat(paths.lambdaJar()).isEqualTo(jar);
        assertThat(paths.datasetFile()).isRegularFile();
    }
}
