package io.mlops.localrun;

import io.mlops.systemtests.load.LoadTestCommand;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** The end-of-run summary in the terminal: outcome, one line per stage, the key numbers and where things are. */
final class RunSummary {
    private RunSummary() {
    }

    static void print(PrintStream out, LocalRunResult result, RunRecord record) {
        out.println();
        out.printf(Locale.ROOT, "=== local run %s%s in %.1f s ===%n", result.status(),
                result.failedStage() == null ? "" : " at stage " + result.failedStage(), result.wallSeconds());
        for (StageResult s : result.stages()) {
            String detail = s.detail() == null ? "" : s.detail().split("\n", 2)[0];
            out.printf(Locale.ROOT, "  %d %-14s %-8s %7s  %s%n", s.number(), s.name(), s.status(),
                    StageResult.NOT_RUN.equals(s.status()) ? "" : String.format(Locale.ROOT, "%.1f s", s.seconds()),
                    abbreviate(detail, 150));
        }
        Map<String, Double> m = result.metrics();
        if (m.containsKey("test:auc")) {
            out.printf(Locale.ROOT, "model: test ROC AUC %.4f (served %s, endpoint test %s), PR AUC %.4f, F1 %.4f; "
                    + "validation ROC AUC %s%n", m.get("test:auc"), fmt(m.get("served:auc")), fmt(m.get("endpoint-test:auc")),
                    m.getOrDefault("test:pr_auc", Double.NaN), m.getOrDefault("test:f1", Double.NaN),
                    fmt(m.get("validation:roc_auc")));
        }
        if (record.registered() != null) {
            RegistryEntry entry = record.registered().entry();
            out.println("registry: " + entry.group() + " " + entry.label() + " " + entry.status() + " -> "
                    + result.registryEntry());
        }
        if (record.load() != null) {
            LoadTestCommand.printSummary(record.load(), out);
        }
        if (result.message() != null) {
            out.println();
            out.println("FAILED at stage " + result.failedStage() + ":");
            for (String line : result.message().split("\n")) {
                out.println("  " + line);
            }
            out.println("artifacts and logs are kept in " + result.work());
        }
        out.println("report: " + result.report());
        out.println("result: " + result.work() + "/" + LocalRunResult.FILE);
    }

    private static String fmt(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
