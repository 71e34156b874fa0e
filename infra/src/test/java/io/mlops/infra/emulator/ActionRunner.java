package io.mlops.infra.emulator;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one Lambda invocation from the deployable bundle: a fresh JVM with only the shaded lambdas jar (and
 * {@link HandlerMain} from this module's test classes) on the class path, the function's environment as the
 * template writes it, plus what Lambda sets (region, credentials) and the endpoints of moto and the job-result
 * stand-in ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_CODEPIPELINE}, read by the SDK itself).
 */
public final class ActionRunner {
    static final long TIMEOUT_SECONDS = 90;

    /** What one invocation did: the JVM's exit code and its output (stdout and stderr). */
    public record Invocation(int exit, String output, double seconds) {
        public String tail() {
            return output.length() <= 3000 ? output : "..." + output.substring(output.length() - 3000);
        }
    }

    private final Path bundle;
    private final Path testClasses;
    private final Map<String, String> awsEnvironment;

    public ActionRunner(Path bundle, Path testClasses, Map<String, String> awsEnvironment) {
        if (!Files.isRegularFile(bundle)) {
            throw new IllegalStateException("the Lambda bundle " + bundle + " is not built: run mvn -pl lambdas -am package"
                    + " (bin/test builds it before infra)");
        }
        if (!Files.isRegularFile(testClasses.resolve(HandlerMain.class.getName().replace('.', '/') + ".class"))) {
            throw new IllegalStateException(HandlerMain.class.getName() + " is not compiled under " + testClasses
                    + " (system property test.classes): run the IT through Maven (mvn -pl infra verify)");
        }
        this.bundle = bundle;
        this.testClasses = testClasses;
        this.awsEnvironment = Map.copyOf(awsEnvironment);
    }

    /** Invokes {@code handlerClass} once with {@code event} on stdin and the function environment {@code env}. */
    public Invocation invoke(String handlerClass, Map<String, String> env, String event) {
        long start = System.nanoTime();
        try {
            Path output = Files.createTempFile("emulator-invocation", ".log");
            Path input = Files.createTempFile("emulator-event", ".json");
            Files.writeString(input, event, StandardCharsets.UTF_8);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", bundle + File.pathSeparator + testClasses,
                    HandlerMain.class.getName(), handlerClass))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).redirectInput(input.toFile());
            Map<String, String> e = pb.environment();
            e.keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
            e.putAll(env);
            e.putAll(awsEnvironment);
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.toHandle().destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            int exit = p.isAlive() ? -1 : p.exitValue();
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
            Files.deleteIfExists(input);
            if (exit == -1) {
                text += "\n[emulator] killed after " + TIMEOUT_SECONDS + " s";
            }
            return new Invocation(exit, text, (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
