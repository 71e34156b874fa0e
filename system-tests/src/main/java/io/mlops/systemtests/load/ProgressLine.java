package io.mlops.systemtests.load;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress line: rewritten in place with a carriage return on a terminal, one line per
 * {@code linesEvery} updates otherwise (logs, CI).
 */
public final class ProgressLine implements Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final int linesEvery;
    private int updates;
    private Snapshot previous;
    private int lastWidth;

    /**
     * @param terminal   rewrite one line ({@code System.console() != null})
     * @param linesEvery without a terminal, print every n-th update
     */
    public ProgressLine(PrintStream out, boolean terminal, int linesEvery) {
        this.out = out;
        this.terminal = terminal;
        this.linesEvery = Math.max(1, linesEvery);
    }

    @Override
    public synchronized void update(Snapshot snapshot) {
        String line = format(snapshot, previous);
        previous = snapshot;
        updates++;
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
            out.flush();
        } else if (updates % linesEvery == 0) {
            out.println(line);
        }
    }

    @Override
    public synchronized void finish(Snapshot snapshot) {
        String line = format(snapshot, null);
        if (terminal) {
            out.println("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** One progress line; the rate is over the interval since {@code previous} (or the whole run). */
    static String format(Snapshot now, Snapshot previous) {
        double rate;
        if (previous != null && now.elapsedSeconds() > previous.elapsedSeconds()) {
            rate = (now.ok() + now.errors() - previous.ok() - previous.errors())
                    / (now.elapsedSeconds() - previous.elapsedSeconds());
        } else {
            rate = now.elapsedSeconds() > 0 ? (now.ok() + now.errors()) / now.elapsedSeconds() : 0;
        }
        return String.format(Locale.ROOT,
                "[%5.1fs/%.0fs] sent %d  ok %d  errors %d  in-flight %d  %.1f req/s  p50 %.1f ms  p99 %.1f ms",
                now.elapsedSeconds(), now.durationSeconds(), now.sent(), now.ok(), now.errors(), now.inFlight(), rate,
                now.p50Millis(), now.p99Millis());
    }
}
