package io.mlops.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the npm-pinned tools (package-lock.json) with the npm-installed Node 22. */
public final class NodeTools {
    public static final Path NODE_MODULES = TestApps.REPO_ROOT.resolve("node_modules");
    public static final Path NODE22 = NODE_MODULES.resolve("node/bin/node");

    private NodeTools() {
    }

    /** Result of a process: exit code and the two streams. */
    public record Result(int exit, String stdout, String stderr) {
    }

    public static Path requireNode22() {
        if (!Files.isExecutable(NODE22)) {
            throw new IllegalStateException("Node 22 is missing at " + NODE22 + ": install the pinned tools with npm ci");
        }
        return NODE22;
    }

    public static Path script(String npmRelativePath) {
        Path p = NODE_MODULES.resolve(npmRelativePath);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: install the pinned tools with npm ci");
        }
        return p;
    }

    public static Result run(List<String> command, Path workDir) {
        try {
            Path out = Files.createTempFile("node-out", ".txt");
            Path err = Files.createTempFile("node-err", ".txt");
            List<String> cmd = new ArrayList<>(command);
            Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
