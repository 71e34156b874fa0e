package io.mlops.infra.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs AWS's CloudFormation linter, cfn-lint (the version {@code bin/setup} checks: {@value #VERSION}), on a
 * template and returns its findings. Found through {@code CFN_LINT} (a path) or {@code PATH} (the image's pyenv
 * shims); a missing or different version fails with the fix (never a skip: the gate must run in CI).
 */
public final class CfnLint {
    public static final String VERSION = "1.51.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSION_LINE = Pattern.compile("cfn-lint (\\S+)");

    /** One cfn-lint finding: rule id and level (Error, Warning, Informational), where, and the message. */
    public record Finding(String template, String rule, String level, List<String> path, int line, String message) {
        /** Logical id of the resource (or output, parameter) the finding is about; "" for template-level findings. */
        public String logicalId() {
            return path.size() >= 2 ? path.get(1) : "";
        }

        public String section() {
            return path.isEmpty() ? "" : path.get(0);
        }

        @Override
        public String toString() {
            return template + ":" + line + " " + rule + " (" + level + ") at " + String.join("/", path) + ": " + message;
        }
    }

    private final Path executable;

    private CfnLint(Path executable) {
        this.executable = executable;
    }

    /** The pinned cfn-lint, or a failure saying what was found and what to do. */
    public static CfnLint locate() {
        Path exe = find();
        String version = run(List.of(exe.toString(), "--version"), 60).stdout().trim();
        var m = VERSION_LINE.matcher(version);
        if (!m.find() || !m.group(1).equals(VERSION)) {
            throw new IllegalStateException("cfn-lint " + VERSION + " is required, found '" + version + "' at " + exe
                    + ": run bin/setup (it installs exactly cfn-lint==" + VERSION + " with pip where it is missing)");
        }
        return new CfnLint(exe);
    }

    private static Path find() {
        String explicit = System.getenv("CFN_LINT");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (Files.isExecutable(p)) {
                return p;
            }
            throw new IllegalStateException("CFN_LINT=" + explicit + " is not an executable: unset it or point it at cfn-lint " + VERSION);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "cfn-lint");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cfn-lint is not on PATH: run bin/setup (it finds the image's cfn-lint " + VERSION
                + " or installs it with pip), or set CFN_LINT to its path");
    }

    /**
     * Lints one template for the given Regions, with informational rules included, and parameter values
     * (name → value) as the deploying action passes them. Every finding is returned, whatever its level.
     */
    public List<Finding> lint(Path template, List<String> regions, Map<String, String> parameters) {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "--format", "json", "--include-checks", "I",
                "--regions"));
        cmd.addAll(regions);
        if (!parameters.isEmpty()) {
            cmd.add("--parameters");
            parameters.forEach((k, v) -> cmd.add(k + "=" + v));
        }
        cmd.add("--template");
        cmd.add(template.toString());
        Result r = run(cmd, 300);
        // Exit code: a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 = cfn-lint itself failed.
        if ((r.exit() & 1) != 0 || r.stdout().isBlank()) {
            throw new IllegalStateException("cfn-lint failed on " + template + " (exit " + r.exit() + "): " + r.stderr()
                    + r.stdout());
        }
        try {
            List<Finding> out = new ArrayList<>();
            for (JsonNode f : JSON.readTree(r.stdout())) {
                List<String> path = new ArrayList<>();
                f.path("Location").path("Path").forEach(p -> path.add(p.asText()));
                out.add(new Finding(template.getFileName().toString(), f.path("Rule").path("Id").asText(),
                        f.path("Level").asText(), path, f.path("Location").path("Start").path("LineNumber").asInt(),
                        f.path("Message").asText()));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("unreadable cfn-lint output for " + template + ": " + r.stdout(), e);
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(List<String> command, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile("cfn-lint-out", ".json");
            Path err = Files.createTempFile("cfn-lint-err", ".txt");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("cfn-lint timed out after " + timeoutSeconds + " s: " + command);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
