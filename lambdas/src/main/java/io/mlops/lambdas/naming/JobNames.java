package io.mlops.lambdas.naming;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SageMaker job names derived from the pipeline execution id, so a re-invoked launch finds the
 * job it started. Every name satisfies SageMaker's rule: 1-63 characters matching
 * {@code [a-zA-Z0-9](-*[a-zA-Z0-9])*}. Long inputs are shortened with a hash of the full input,
 * so distinct executions keep distinct names.
 */
public final class JobNames {
    public static final int MAX_LENGTH = 63;
    public static final Pattern VALID = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    private static final int HASH_LENGTH = 8;

    private JobNames() {
    }

    /**
     * {@code <prefix>-<kind>-<executionId>[-<attempt>]}, sanitised and shortened to the rules.
     *
     * @param prefix project prefix, e.g. {@code mlops}
     * @param kind short job kind, e.g. {@code train}, {@code eval}
     * @param executionId the pipeline execution id (any string)
     * @param attempt 1 for the first job of this execution; retries of a failed job get 2, 3, ...
     */
    public static String forExecution(String prefix, String kind, String executionId, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
        }
        String head = sanitise(prefix + "-" + kind);
        String exec = sanitise(executionId);
        String suffix = attempt == 1 ? "" : "-" + attempt;
        String candidate = join(head, exec) + suffix;
        if (candidate.length() <= MAX_LENGTH && !exec.isEmpty()) {
            return candidate;
        }
        // Too long (or nothing usable left): keep a readable head, then a hash of the full identity.
        String hash = hash(prefix + "\u0000" + kind + "\u0000" + executionId);
        int room = MAX_LENGTH - suffix.length() - HASH_LENGTH - 1;
        String readable = trimDashes(join(head, exec).substring(0, Math.min(room, join(head, exec).length())));
        String name = (readable.isEmpty() ? hash : readable + "-" + hash) + suffix;
        return name;
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    private static String join(String a, String b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : a + "-" + b;
    }

    /** Keeps [a-zA-Z0-9], turns every other run of characters into one dash, trims dashes at the ends. */
    static String sanitise(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        boolean dash = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (ok) {
                if (dash && out.length() > 0) {
                    out.append('-');
                }
                out.append(c);
                dash = false;
            } else {
                dash = true;
            }
        }
        return out.toString();
    }

    private static String trimDashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '-') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '-') {
            end--;
        }
        return s.substring(start, end);
    }

    static String hash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
