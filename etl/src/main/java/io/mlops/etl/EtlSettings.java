package io.mlops.etl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The versioned settings file that describes a dataset ({@code etl/settings/bank.json} is the default,
 * bundled in the jar). Everything dataset-specific lives here; the Java code knows no column name.
 *
 * @param version           format version, must be 1
 * @param name              short dataset name, recorded in the manifest
 * @param description       free text
 * @param delimiter         {@code auto} (detect , ; tab | from the header) or the delimiter itself
 * @param zipMember         for a zip input: the CSV member's path or file name; null: the largest CSV
 * @param label             label column and its values
 * @param columns           feature columns kept in the output, in output order, each numeric or categorical
 * @param drop              input columns left out of the output (not validated); may be absent from the file
 * @param split             train/validation/test fractions
 * @param seed              seed of the split
 * @param maxRejectFraction the job fails when more than this fraction of the rows read is rejected
 * @param partitions        shuffle partitions (and therefore the row order in the outputs); null or 0: from the input size
 * @param encoding          character encoding of the input files ({@link #ENCODINGS}); null: UTF-8
 */
public record EtlSettings(
        Integer version,
        String name,
        String description,
        String delimiter,
        String zipMember,
        Label label,
        List<Column> columns,
        List<String> drop,
        Split split,
        Long seed,
        Double maxRejectFraction,
        Integer partitions,
        String encoding) {

    public static final String NUMERIC = "numeric";
    public static final String CATEGORICAL = "categorical";
    /** Name of the label column in every output, whatever its name in the input. */
    public static final String OUTPUT_LABEL = "y";
    /** Classpath location of the default settings (copied from {@code etl/settings/bank.json} at build). */
    public static final String BUNDLED_BANK = "io/mlops/etl/settings/bank.json";
    /** The default {@code encoding}. */
    public static final String UTF_8 = "UTF-8";
    /**
     * Examples of accepted {@code encoding} values (tested: UTF-8, windows-1252, ISO-8859-1). Any charset
     * the JVM knows that encodes ASCII as ASCII bytes is accepted (Spark splits the lines on the byte
     * {@code \n} before decoding); UTF-16 and UTF-32 are not.
     */
    public static final List<String> ENCODINGS = List.of("UTF-8", "windows-1252", "ISO-8859-1", "ISO-8859-15");

    /** @param negative the label values counted as 0; a single string is accepted too */
    public record Label(String column, String positive, List<String> negative) { }

    public record Column(String name, String type) {
        public boolean numeric() {
            return NUMERIC.equals(type);
        }
    }

    public record Split(Double train, Double validation, Double test) {
        public double[] fractions() {
            return new double[] {train, validation, test};
        }
    }

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Parses and validates a settings file; {@code where} names it in messages. Defaults are filled in:
     * delimiter {@code auto}, drop {@code []}, split 70/15/15, seed 42, maxRejectFraction 0.05.
     */
    public static EtlSettings parse(byte[] json, String where) {
        EtlSettings raw;
        try {
            raw = MAPPER.readValue(json, EtlSettings.class);
        } catch (JsonProcessingException e) {
            throw new EtlException("settings file " + where + " is not valid: " + e.getOriginalMessage()
                    + " at " + e.getLocation() + "; fix the file (format: etl/README.md#settings)", e);
        } catch (java.io.IOException e) {
            throw new EtlException("cannot read settings file " + where + ": " + e.getMessage(), e);
        }
        if (raw == null) {
            throw new EtlException("settings file " + where + " is empty; write the JSON object described in etl/README.md#settings");
        }
        return raw.withDefaults().validated(where);
    }

    private EtlSettings withDefaults() {
        return new EtlSettings(
                version,
                name,
                description,
                delimiter == null ? "auto" : delimiter,
                zipMember,
                label,
                columns,
                drop == null ? List.of() : drop,
                split == null ? new Split(0.70, 0.15, 0.15) : split,
                seed == null ? 42L : seed,
                maxRejectFraction == null ? 0.05 : maxRejectFraction,
                partitions == null ? 0 : partitions,
                encoding == null ? UTF_8 : encoding);
    }

    /** Applies the command-line overrides, then validates again. */
    public EtlSettings withOverrides(JobArgs args, String where) {
        return new EtlSettings(
                version,
                name,
                description,
                args.delimiter().orElse(delimiter),
                args.zipMember().orElse(zipMember),
                label,
                columns,
                drop,
                args.split().map(EtlSettings::parseSplit).orElse(split),
                args.seed().orElse(seed),
                args.maxRejectFraction().orElse(maxRejectFraction),
                partitions,
                args.encoding().orElse(encoding)).validated(where + " with command-line overrides");
    }

    /** Parses {@code 70/15/15}, {@code 0.7,0.15,0.15} or {@code 0.7/0.15/0.15}. */
    static Split parseSplit(String text) {
        String[] parts = text.trim().split("\\s*[/,:]\\s*");
        if (parts.length != 3) {
            throw new EtlException("--split must give three numbers train/validation/test such as 70/15/15, got '" + text + "'");
        }
        double[] v = new double[3];
        try {
            for (int i = 0; i < 3; i++) {
                v[i] = Double.parseDouble(parts[i]);
            }
        } catch (NumberFormatException e) {
            throw new EtlException("--split must give three numbers train/validation/test such as 70/15/15, got '" + text + "'", e);
        }
        double sum = v[0] + v[1] + v[2];
        double scale = Math.abs(sum - 100) < 1e-6 ? 100 : 1; // percentages or fractions
        return new Split(v[0] / scale, v[1] / scale, v[2] / scale);
    }

    private EtlSettings validated(String where) {
        List<String> problems = new ArrayList<>();
        if (version == null || version != 1) {
            problems.add("\"version\" must be 1, got " + version);
        }
        if (name == null || name.isBlank()) {
            problems.add("\"name\" is required (a short dataset name)");
        }
        if (!"auto".equals(delimiter) && delimiterChar(delimiter) == 0) {
            problems.add("\"delimiter\" must be \"auto\" or one character such as \",\" \";\" \"tab\" \"|\", got \"" + delimiter + "\"");
        }
        Set<String> names = new HashSet<>();
        if (columns == null || columns.isEmpty()) {
            problems.add("\"columns\" must list the feature columns, e.g. [{\"name\": \"age\", \"type\": \"numeric\"}]");
        } else {
            for (Column c : columns) {
                if (c == null || c.name() == null || c.name().isBlank()) {
                    problems.add("every entry of \"columns\" needs a \"name\"");
                    continue;
                }
                if (!names.add(c.name())) {
                    problems.add("column \"" + c.name() + "\" is listed twice in \"columns\"");
                }
                if (!NUMERIC.equals(c.type()) && !CATEGORICAL.equals(c.type())) {
                    problems.add("column \"" + c.name() + "\" has type \"" + c.type() + "\"; use \"numeric\" or \"categorical\"");
                }
            }
        }
        for (String d : drop) {
            if (d == null || d.isBlank()) {
                problems.add("\"drop\" contains an empty name");
            } else if (names.contains(d)) {
                problems.add("column \"" + d + "\" is both in \"columns\" and in \"drop\"; keep it in one");
            }
        }
        if (new LinkedHashSet<>(drop).size() != drop.size()) {
            problems.add("\"drop\" lists a column twice: " + drop);
        }
        if (label == null || label.column() == null || label.column().isBlank()) {
            problems.add("\"label\": {\"column\": ..., \"positive\": ..., \"negative\": [...]} is required");
        } else {
            if (names.contains(label.column()) || drop.contains(label.column())) {
                problems.add("label column \"" + label.column() + "\" must not be listed in \"columns\" or \"drop\"");
            }
            if (!OUTPUT_LABEL.equals(label.column()) && names.contains(OUTPUT_LABEL)) {
                problems.add("feature column \"" + OUTPUT_LABEL + "\" clashes with the output label column \"" + OUTPUT_LABEL + "\"; rename it in the data");
            }
            if (label.positive() == null || label.positive().isBlank()) {
                problems.add("\"label.positive\" is required (the value that means 1)");
            }
            if (label.negative() == null || label.negative().isEmpty()
                    || label.negative().stream().anyMatch(v -> v == null || v.isBlank())) {
                problems.add("\"label.negative\" is required: the value(s) that mean 0");
            } else if (label.negative().contains(label.positive())) {
                problems.add("label value \"" + label.positive() + "\" is both positive and negative");
            }
        }
        if (split.train() == null || split.validation() == null || split.test() == null) {
            problems.add("\"split\" needs \"train\", \"validation\" and \"test\" fractions");
        } else {
            double sum = split.train() + split.validation() + split.test();
            if (!(split.train() > 0 && split.validation() > 0 && split.test() > 0) || Math.abs(sum - 1.0) > 1e-6) {
                problems.add("\"split\" fractions must be positive and sum to 1, got train " + split.train()
                        + ", validation " + split.validation() + ", test " + split.test());
            }
        }
        if (maxRejectFraction.isNaN() || maxRejectFraction < 0 || maxRejectFraction > 1) {
            problems.add("\"maxRejectFraction\" must be within 0..1, got " + maxRejectFraction);
        }
        if (partitions < 0 || partitions > 10_000) {
            problems.add("\"partitions\" must be within 0..10000 (0: from the input size), got " + partitions);
        }
        if (charset(encoding) == null) {
            problems.add("\"encoding\" must be a charset that encodes ASCII as single bytes, such as "
                    + String.join(", ", ENCODINGS) + " (UTF-16 and UTF-32 are not supported), got \"" + encoding + "\"");
        }
        if (!problems.isEmpty()) {
            throw new EtlException("settings " + where + " are not valid: " + String.join("; ", problems)
                    + "; fix the settings file (format: etl/README.md#settings)");
        }
        return this;
    }

    /** The delimiter as a character, 0 for {@code auto} or an invalid value. */
    static char delimiterChar(String delimiter) {
        if (delimiter == null) {
            return 0;
        }
        String d = delimiter.toLowerCase(Locale.ROOT);
        if (d.equals("tab") || d.equals("\\t") || d.equals("\t")) {
            return '\t';
        }
        return delimiter.length() == 1 && delimiter.charAt(0) != '"' && delimiter.charAt(0) != '\n'
                && delimiter.charAt(0) != '\r' ? delimiter.charAt(0) : 0;
    }

    /** The input's charset; null when {@code name} is unknown to the JVM or not ASCII-compatible. */
    static java.nio.charset.Charset charset(String name) {
        java.nio.charset.Charset charset;
        try {
            charset = java.nio.charset.Charset.forName(name);
        } catch (IllegalArgumentException e) { // unknown, illegal or null name
            return null;
        }
        if (!charset.canEncode()) {
            return null;
        }
        StringBuilder ascii = new StringBuilder();
        for (char c = 1; c < 128; c++) {
            ascii.append(c);
        }
        byte[] bytes = ascii.toString().getBytes(charset);
        if (bytes.length != 127) {
            return null;
        }
        for (int i = 0; i < 127; i++) {
            if (bytes[i] != i + 1) {
                return null;
            }
        }
        return charset;
    }

    /** The input's charset (validated). */
    public java.nio.charset.Charset charset() {
        return charset(encoding);
    }

    /** Every column name the input may carry: features, label, dropped. */
    public List<String> declaredColumns() {
        List<String> all = new ArrayList<>();
        columns.forEach(c -> all.add(c.name()));
        all.add(label.column());
        all.addAll(drop);
        return all;
    }

    /** Allowed label values: the positive first. */
    public List<String> labelValues() {
        List<String> values = new ArrayList<>();
        values.add(label.positive());
        values.addAll(label.negative());
        return values;
    }
}
