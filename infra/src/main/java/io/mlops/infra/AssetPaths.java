package io.mlops.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Every file the CDK app packages, resolved in one place from the repository root.
 *
 * <p>{@link #fromRepoRoot(Path)} is the production path: each file must exist, and a missing build
 * output fails synth with the command that builds it. Tests that run before the sibling modules are
 * built use {@link #withJars(Path, Path, Path)}, an explicit override naming the jars to package.
 */
public final class AssetPaths {
    /** Version of the sibling modules' jars (this module's Maven version, filtered into build.properties). */
    public static final String VERSION = loadVersion();
    public static final String LAMBDA_JAR = "lambdas/target/lambdas-" + VERSION + "-lambda.jar";
    public static final String SYSTEM_TEST_JAR = "system-tests/target/system-tests-" + VERSION + "-lambda.jar";
    public static final String GLUE_SCRIPT = "etl/glue/GlueEntry.scala";
    public static final String DATASET_DIR = "etl/data";
    public static final String DATASET_FILE = "bank-additional.zip";
    /** Read by CodeBuild from the source artifact at build time (not at synth). */
    public static final String BUILDSPEC = "model-container/buildspec.yml";

    /**
     * What the CodeCommit seed excludes (gitignore syntax): build outputs, dependencies, local runs.
     * The repository's own {@code .gitignore} excludes the same things from git.
     */
    public static final List<String> SEED_EXCLUDES = List.of(
            ".git", "**/target", "node_modules", "**/node_modules", "cdk.out", "**/cdk.out", ".cdk.staging",
            "work", "**/__pycache__", "**/*.pyc", ".pytest_cache", "**/.pytest_cache",
            ".idea", "**/*.iml", ".vscode", ".DS_Store", "**/*.class");

    private final Path repoRoot;
    private final Path lambdaJar;
    private final Path systemTestJar;
    private final Path glueScript;
    private final boolean placeholders;

    private AssetPaths(Path repoRoot, Path lambdaJar, Path systemTestJar, boolean placeholders) {
        this.repoRoot = repoRoot.toAbsolutePath().normalize();
        this.lambdaJar = lambdaJar.toAbsolutePath().normalize();
        this.systemTestJar = systemTestJar.toAbsolutePath().normalize();
        this.glueScript = this.repoRoot.resolve(GLUE_SCRIPT);
        this.placeholders = placeholders;
        require(this.lambdaJar, "the Lambda handler bundle", "mvn -pl lambdas package");
        require(this.systemTestJar, "the endpoint test Lambda bundle", "mvn -pl system-tests package");
        require(glueScript, "the Glue entry script (source file)", "git checkout -- " + GLUE_SCRIPT);
        require(datasetFile(), "the bundled dataset (source file)", "git checkout -- " + DATASET_DIR + "/" + DATASET_FILE);
    }

    /** Production: the built jars under the repository root; fails when one is missing. */
    public static AssetPaths fromRepoRoot(Path repoRoot) {
        return new AssetPaths(repoRoot, repoRoot.resolve(LAMBDA_JAR), repoRoot.resolve(SYSTEM_TEST_JAR), false);
    }

    /**
     * Explicit override of the two jars (tests before the sibling modules are built). Source files
     * still come from {@code repoRoot}.
     */
    public static AssetPaths withJars(Path repoRoot, Path lambdaJar, Path systemTestJar) {
        return new AssetPaths(repoRoot, lambdaJar, systemTestJar, true);
    }

    /** The repository root: the nearest directory at or above {@code start} holding cdk.json and pom.xml. */
    public static Path findRepoRoot(Path start) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("cdk.json")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (a directory with cdk.json and pom.xml) at or above "
                + start.toAbsolutePath() + ": run cdk from the repository root");
    }

    private static void require(Path file, String what, String fix) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(what + " is missing at " + file + ": build it first: " + fix);
        }
    }

    public Path repoRoot() {
        return repoRoot;
    }

    public Path lambdaJar() {
        return lambdaJar;
    }

    public Path systemTestJar() {
        return systemTestJar;
    }

    public Path glueScript() {
        return glueScript;
    }

    public Path datasetDir() {
        return repoRoot.resolve(DATASET_DIR);
    }

    public Path datasetFile() {
        return datasetDir().resolve(DATASET_FILE);
    }

    /** True when {@link #withJars} overrode the jars (never in the CDK app's main). */
    public boolean usesOverrides() {
        return placeholders;
    }

    private static String loadVersion() {
        try (InputStream in = AssetPaths.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties missing from the infra classes: build with mvn");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isBlank() || v.contains("${")) {
                throw new IllegalStateException("build.properties was not filtered by Maven (version=" + v + ")");
            }
            return v.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
