package io.mlops.localrun;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stage of a local run as it ended.
 *
 * @param number    1-8
 * @param name      e.g. {@code ETL}
 * @param status    {@link #OK}, {@link #FAILED} or {@link #NOT_RUN} (an earlier stage failed)
 * @param seconds   wall time of the stage
 * @param detail    one line: what it produced, or why it failed
 * @param artifacts name to absolute path of what it left in the work folder
 */
public record StageResult(int number, String name, String status, double seconds, String detail,
        Map<String, String> artifacts) {
    public static final String OK = "OK";
    public static final String FAILED = "FAILED";
    public static final String NOT_RUN = "NOT_RUN";

    public StageResult {
        artifacts = artifacts == null ? Map.of() : new LinkedHashMap<>(artifacts);
    }

    public boolean ok() {
        return OK.equals(status);
    }

    public static StageResult notRun(int number, String name) {
        return new StageResult(number, name, NOT_RUN, 0, "not run: an earlier stage failed", Map.of());
    }
}
