package io.mlops.infra.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.infra.validation.CfnLint.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one file of acknowledged cfn-lint findings ({@code infra/cfn-lint-acknowledgements.json}). Each entry
 * names a rule, the templates (glob on the file name), the logical ids (regex, whole match), optionally a
 * message regex (found anywhere), and the reason. No entry may acknowledge a whole rule everywhere, and an
 * entry that matches nothing fails the gate too, so acknowledgements do not outlive their finding.
 */
public final class CfnLintAcknowledgements {
    public static final String FILE = "infra/cfn-lint-acknowledgements.json";
    private static final int MIN_REASON = 30;

    /** One acknowledgement. */
    public record Entry(String rule, String template, Pattern resource, Pattern message, String reason) {
        boolean matches(Finding f) {
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + template);
            return rule.equals(f.rule()) && glob.matches(Path.of(f.template())) && resource.matcher(f.logicalId()).matches()
                    && (message == null || message.matcher(f.message()).find());
        }

        @Override
        public String toString() {
            return rule + " on " + template + " " + resource.pattern() + (message == null ? "" : " /" + message.pattern() + "/");
        }
    }

    /** What the acknowledgements leave: findings nobody acknowledged, and entries that matched nothing. */
    public record Verdict(List<Finding> unacknowledged, List<Finding> acknowledged, List<Entry> unused) {
        public boolean passes() {
            return unacknowledged.isEmpty() && unused.isEmpty();
        }
    }

    private final List<Entry> entries;

    private CfnLintAcknowledgements(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static CfnLintAcknowledgements load(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            List<Entry> entries = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            int i = 0;
            for (JsonNode e : root.path("acknowledged")) {
                String where = file.getFileName() + " acknowledged[" + i++ + "]";
                String rule = e.path("rule").asText("");
                String template = e.path("template").asText("");
                String resource = e.path("resource").asText("");
                String reason = e.path("reason").asText("");
                if (!rule.matches("[EWI][0-9]{4}")) {
                    problems.add(where + ": rule '" + rule + "' is not a cfn-lint rule id such as E3002");
                }
                if (template.isBlank() || resource.isBlank() || resource.equals(".*")) {
                    problems.add(where + ": give the template and the logical ids it applies to (not '.*'): acknowledge"
                            + " findings, never a whole rule");
                }
                if (reason.trim().length() < MIN_REASON) {
                    problems.add(where + ": the reason must say why the finding is acceptable (at least " + MIN_REASON
                            + " characters), got '" + reason + "'");
                }
                String message = e.hasNonNull("message") ? e.path("message").asText() : null;
                entries.add(new Entry(rule, template, Pattern.compile(resource),
                        message == null ? null : Pattern.compile(message), reason));
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("invalid " + file + ":\n  - " + String.join("\n  - ", problems));
            }
            return new CfnLintAcknowledgements(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static CfnLintAcknowledgements of(List<Entry> entries) {
        return new CfnLintAcknowledgements(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    public Verdict judge(List<Finding> findings) {
        List<Finding> open = new ArrayList<>();
        List<Finding> acknowledged = new ArrayList<>();
        Set<Entry> used = new LinkedHashSet<>();
        for (Finding f : findings) {
            Entry match = entries.stream().filter(e -> e.matches(f)).findFirst().orElse(null);
            if (match == null) {
                open.add(f);
            } else {
                used.add(match);
                acknowledged.add(f);
            }
        }
        List<Entry> unused = entries.stream().filter(e -> !used.contains(e)).toList();
        return new Verdict(open, acknowledged, unused);
    }
}
