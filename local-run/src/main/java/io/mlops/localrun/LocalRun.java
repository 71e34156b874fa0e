package io.mlops.localrun;

import io.mlops.systemtests.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.Optional;

/**
 * {@code bin/run-local}: the whole pipeline on this machine, no AWS account ({@link LocalPipeline}).
 * Exit status: 0 every stage passed, 1 a stage failed (its message, log and artifacts are printed and kept),
 * 2 usage error (bad option, missing file, busy work folder, model container not runnable: nothing was run).
 */
public final class LocalRun {
    public static final int PASSED = 0;
    public static final int STAGE_FAILED = 1;
    public static final int USAGE = 2;

    private LocalRun() {
    }

    public static void main(String[] args) {
        io.mlops.systemtests.cli.CommandLine.quietSdkLogging();
        System.exit(run(args, Path.of("").toAbsolutePath(), System.out, System.err, System.console() != null));
    }

    /**
     * Runs the command in-process ({@link #main} exits with the result).
     *
     * @param cwd      where relative paths are resolved from
     * @param terminal a TTY (the load test's progress line is rewritten in place)
     * @return the exit status
     */
    public static int run(String[] args, Path cwd, PrintStream out, PrintStream err, boolean terminal) {
        try {
            Optional<LocalRunOptions> options = LocalRunOptions.parse(args, cwd, LocalDateTime.now(), out);
            if (options.isEmpty()) {
                return PASSED;
            }
            LocalRunResult result = new LocalPipeline(options.get(), out, terminal, Clock.systemUTC()).run();
            return result.passed() ? PASSED : STAGE_FAILED;
        } catch (UsageException e) {
            err.println("run-local: " + e.getMessage());
            return USAGE;
        } catch (IOException e) {
            err.println("run-local: cannot write the run's result or report: " + e);
            return STAGE_FAILED;
        }
    }
}
