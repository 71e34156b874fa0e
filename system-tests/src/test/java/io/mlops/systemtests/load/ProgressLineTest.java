package io.mlops.systemtests.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final Progress.Snapshot ONE = new Progress.Snapshot(1, 10, 20, 19, 1, 2, 12.34, 40.5);
    private static final Progress.Snapshot TWO = new Progress.Snapshot(2, 10, 50, 48, 2, 0, 12.5, 41);

    @Test
    void rewritesOneLineOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 5);
        line.update(ONE);
        line.update(TWO);
        line.finish(TWO);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\r[  1.0s/10s] sent 20  ok 19  errors 1  in-flight 2  20.0 req/s  p50 12.3 ms  p99 40.5 ms");
        assertThat(out).contains("\r[  2.0s/10s] sent 50  ok 48  errors 2  in-flight 0  30.0 req/s");
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }

    @Test
    void printsEveryNthUpdateAsItsOwnLineWithoutATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 2);
        line.update(ONE);
        line.update(TWO);
        line.update(TWO);
        line.finish(TWO);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r");
        assertThat(out.lines()).hasSize(2);
    }
}
