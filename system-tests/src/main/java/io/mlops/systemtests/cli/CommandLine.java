package io.mlops.systemtests.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small GNU-style option parser: {@code --name value}, {@code --name=value} and flags without a
 * value. Options are declared with a help line; unknown, repeated or value-less options fail with a
 * {@link UsageException} that names them (and the closest known option).
 */
public final class CommandLine {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private final String command;
    private final String summary;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    private record Option(String name, String valueName, String help, boolean flag) {
    }

    public CommandLine(String command, String summary) {
        this.command = command;
        this.summary = summary;
        flag("help", "print this help and exit");
    }

    /**
     * Command-line tools: the AWS SDK logs through SLF4J (slf4j-simple on the tools' class path);
     * show its warnings and errors only, unless the user chose a level.
     */
    public static void quietSdkLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    /** Declares {@code --name VALUE}. */
    public CommandLine option(String name, String valueName, String help) {
        options.put(name, new Option(name, valueName, help, false));
        return this;
    }

    /** Declares {@code --name} without a value. */
    public CommandLine flag(String name, String help) {
        options.put(name, new Option(name, null, help, true));
        return this;
    }

    /** Parses {@code args}; call once. */
    public CommandLine parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "': every argument is an option like --name value");
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            Option option = options.get(name);
            if (option == null) {
                throw new UsageException("unknown option --" + name + closest(name) + "; see --help");
            }
            if (values.containsKey(name)) {
                throw new UsageException("--" + name + " is given twice; give it once");
            }
            if (option.flag()) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value; received '" + value + "'");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException("--" + name + " needs a value: --" + name + " " + option.valueName());
                }
                value = args[++i];
            }
            values.put(name, value);
        }
        return this;
    }

    /**
     * Parses {@code args}; with {@code --help} prints the help to {@code out} instead.
     *
     * @return false when the help was printed (the command should exit 0)
     */
    public boolean parseOrHelp(String[] args, java.io.PrintStream out) {
        parse(args);
        if (has("help")) {
            out.print(help());
            return false;
        }
        return true;
    }

    public boolean has(String name) {
        return values.containsKey(declared(name));
    }

    public Optional<String> string(String name) {
        return Optional.ofNullable(values.get(declared(name)));
    }

    public String required(String name) {
        return string(name).orElseThrow(() -> new UsageException("--" + name + " " + options.get(name).valueName()
                + " is required; see --help"));
    }

    public String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    public long longValue(String name, long fallback) {
        return string(name).map(v -> {
            try {
                return Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be a whole number; received '" + v + "'", e);
            }
        }).orElse(fallback);
    }

    public int intValue(String name, int fallback) {
        long value = longValue(name, fallback);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new UsageException("--" + name + " is too large; received " + value);
        }
        return (int) value;
    }

    public Optional<Double> doubleValue(String name) {
        return string(name).map(v -> {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be a number; received '" + v + "'", e);
            }
        });
    }

    public Duration duration(String name, Duration fallback) {
        return string(name).map(v -> parseDuration(name, v)).orElse(fallback);
    }

    public Optional<Path> path(String name) {
        return string(name).map(Path::of);
    }

    public Optional<URI> uri(String name) {
        return string(name).map(v -> {
            try {
                return new URI(v);
            } catch (URISyntaxException e) {
                throw new UsageException("--" + name + " is not a valid URL: '" + v + "' (" + e.getReason() + ")", e);
            }
        });
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, or plain seconds ({@code 30}). */
    public static Duration parseDuration(String name, String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException("--" + name + " must be a duration like 30s, 500ms, 2m or 1h; received '" + value + "'");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 1000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    /** The help text: usage line and one line per option. */
    public String help() {
        StringBuilder out = new StringBuilder(summary).append("\n\nUsage: ").append(command).append(" [options]\n\nOptions:\n");
        List<String> lefts = new ArrayList<>();
        int width = 0;
        for (Option option : options.values()) {
            String left = "  --" + option.name() + (option.flag() ? "" : " " + option.valueName());
            lefts.add(left);
            width = Math.max(width, left.length());
        }
        int i = 0;
        for (Option option : options.values()) {
            String left = lefts.get(i++);
            out.append(left).append(" ".repeat(width - left.length() + 2)).append(option.help()).append('\n');
        }
        return out.toString();
    }

    private String declared(String name) {
        if (!options.containsKey(name)) {
            throw new IllegalStateException("option --" + name + " is not declared");
        }
        return name;
    }

    private String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : options.keySet()) {
            int distance = distance(name, known);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = known;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? " (did you mean --" + best + "?)" : "";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
