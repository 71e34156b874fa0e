package io.mlops.etl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job's arguments ({@code docs/contracts/etl-job.md}). The same names are used by Glue
 * (job-run arguments) and by the local run ({@code EtlJob.main}).
 *
 * @param input            dataset URI or path (.zip, .csv, .csv.gz or a folder/prefix of CSV files)
 * @param output           output prefix
 * @param settings         settings JSON URI or path; empty: the bank settings bundled in the jar
 * @param executionId      pipeline execution id recorded in the manifest
 * @param seed             override of the settings' seed
 * @param maxRejectFraction override of the settings' maxRejectFraction
 * @param zipMember        override of the settings' zipMember
 * @param split            override of the settings' split, e.g. {@code 70/15/15} or {@code 0.8,0.1,0.1}
 * @param delimiter        override of the settings' delimiter ({@code auto}, {@code ;}, {@code ,}, {@code tab}, ...)
 * @param encoding         override of the settings' encoding ({@code UTF-8}, {@code windows-1252}, ...)
 * @param master           Spark master for the local run (ignored on Glue); default {@code local[2]}
 */
public record JobArgs(
        String input,
        String output,
        Optional<String> settings,
        Optional<String> executionId,
        Optional<Long> seed,
        Optional<Double> maxRejectFraction,
        Optional<String> zipMember,
        Optional<String> split,
        Optional<String> delimiter,
        Optional<String> encoding,
        Optional<String> master) {

    /** Without an encoding override. */
    public JobArgs(String input, String output, Optional<String> settings, Optional<String> executionId,
                   Optional<Long> seed, Optional<Double> maxRejectFraction, Optional<String> zipMember,
                   Optional<String> split, Optional<String> delimiter, Optional<String> master) {
        this(input, output, settings, executionId, seed, maxRejectFraction, zipMember, split, delimiter,
                Optional.empty(), master);
    }

    /** Every argument the job understands, with a one-line description (used in error messages). */
    public static final Map<String, String> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("--input", "dataset: s3://bucket/key or local path of a .zip, .csv, .csv.gz, or a folder/prefix of CSV files (required)");
        KNOWN.put("--output", "output prefix, e.g. s3://artifacts/runs/<exec>/etl/ or a local folder (required)");
        KNOWN.put("--settings", "settings JSON (s3:// or local); default: bank settings bundled in the jar");
        KNOWN.put("--execution-id", "pipeline execution id recorded in the manifest");
        KNOWN.put("--seed", "split seed (integer), overrides the settings");
        KNOWN.put("--max-reject-fraction", "fail above this fraction of rejected rows (0..1), overrides the settings");
        KNOWN.put("--zip-member", "CSV member to read from a zip, overrides the settings");
        KNOWN.put("--split", "train/validation/test fractions, e.g. 70/15/15, overrides the settings");
        KNOWN.put("--delimiter", "auto, or the field delimiter (, ; tab |), overrides the settings");
        KNOWN.put("--encoding", "character encoding of the input (UTF-8, windows-1252, ISO-8859-1, ...), overrides the settings");
        KNOWN.put("--master", "Spark master for the local run, default local[2] (ignored on Glue)");
    }

    /** Parses the local command line: unknown arguments fail, so a typo never passes silently. */
    public static JobArgs parse(String[] args) {
        return parse(args, false, new ArrayList<>());
    }

    /**
     * Parses Glue's {@code sysArgs}: Glue adds its own arguments ({@code --JOB_NAME}, {@code --TempDir},
     * {@code --job-bookmark-option}, ...), which are collected into {@code ignored} instead of failing.
     */
    public static JobArgs parseGlue(String[] sysArgs, List<String> ignored) {
        return parse(sysArgs, true, ignored);
    }

    private static JobArgs parse(String[] args, boolean lenient, List<String> ignored) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            if (name.startsWith("--") && name.contains("=")) { // --seed=42
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (!KNOWN.containsKey(name)) {
                if (!lenient) {
                    throw new EtlException("unknown argument '" + args[i] + "'; known arguments: " + usage());
                }
                ignored.add(name);
                if (value == null && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    i++; // skip the Glue argument's value
                }
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new EtlException("argument " + name + " needs a value (" + KNOWN.get(name) + ")");
                }
                value = args[++i];
            }
            if (values.put(name, value) != null) {
                throw new EtlException("argument " + name + " given twice; pass it once");
            }
        }
        String input = required(values, "--input");
        String output = required(values, "--output");
        return new JobArgs(
                input,
                output,
                optional(values, "--settings"),
                optional(values, "--execution-id"),
                optional(values, "--seed").map(v -> parseLong("--seed", v)),
                optional(values, "--max-reject-fraction").map(v -> parseDouble("--max-reject-fraction", v)),
                optional(values, "--zip-member"),
                optional(values, "--split"),
                optional(values, "--delimiter"),
                optional(values, "--encoding"),
                optional(values, "--master"));
    }

    private static String required(Map<String, String> values, String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new EtlException("missing required argument " + name + " (" + KNOWN.get(name) + "); known arguments: " + usage());
        }
        return value.trim();
    }

    private static Optional<String> optional(Map<String, String> values, String name) {
        String value = values.get(name);
        if (value != null && value.isBlank()) {
            throw new EtlException("argument " + name + " is empty; give a value (" + KNOWN.get(name) + ") or leave it out");
        }
        return Optional.ofNullable(value).map(String::trim);
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new EtlException("argument " + name + " must be an integer, got '" + value + "'", e);
        }
    }

    private static double parseDouble(String name, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new EtlException("argument " + name + " must be a number, got '" + value + "'", e);
        }
    }

    /** One line per argument, for error messages and {@code --help}. */
    public static String usage() {
        StringBuilder sb = new StringBuilder();
        KNOWN.forEach((k, v) -> sb.append("\n  ").append(k).append("  ").append(v));
        return sb.toString();
    }
}
