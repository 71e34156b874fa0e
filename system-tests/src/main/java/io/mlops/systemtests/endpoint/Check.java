package io.mlops.systemtests.endpoint;

/**
 * One check of the endpoint test.
 *
 * @param name   short id, e.g. {@code responses}, {@code rocAuc}, {@code malformed:empty-body}
 * @param status {@code PASS}, {@code FAIL} or {@code SKIPPED} (with the reason in {@code detail})
 * @param detail what was measured, against what; for a failure the sentence that lands in {@code failures}
 */
public record Check(String name, String status, String detail) {
    public static final String PASS = "PASS";
    public static final String FAIL = "FAIL";
    public static final String SKIPPED = "SKIPPED";

    public static Check of(String name, boolean passed, String detail) {
        return new Check(name, passed ? PASS : FAIL, detail);
    }

    public boolean failed() {
        return FAIL.equals(status);
    }
}
