package io.mlops.systemtests.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A labelled test split as the ETL writes it (label {@code y} first): features {@code x} (numeric,
 * the {@link FakeModel}'s score), {@code colour} (categorical, one value quoted because it has a
 * comma) and {@code n} (integer). Positives tend to have larger {@code x}, so the AUC is well above
 * 0.5 but below 1; {@link #expectedAuc()} computes it by brute force over all pairs.
 */
public final class SyntheticSplit {
    public static final List<String> FEATURES = List.of("x", "colour", "n");
    private final double[] x;
    private final int[] y;
    private final String[] colour;

    public SyntheticSplit(int rows, long seed) {
        Random random = new Random(seed);
        x = new double[rows];
        y = new int[rows];
        colour = new String[rows];
        String[] colours = {"red", "green", "blue, dark"};
        for (int i = 0; i < rows; i++) {
            y[i] = i % 4 == 0 ? 1 : 0;
            double centre = y[i] == 1 ? 0.62 : 0.42;
            x[i] = Math.round(Math.max(0, Math.min(1, centre + random.nextGaussian() * 0.15)) * 100) / 100.0;
            colour[i] = colours[random.nextInt(colours.length)];
        }
    }

    /** The split's CSV text (header row, label first). */
    public String csv(int from, int to) {
        StringBuilder out = new StringBuilder("y,x,colour,n\n");
        for (int i = from; i < to; i++) {
            String c = colour[i].contains(",") ? "\"" + colour[i] + "\"" : colour[i];
            out.append(y[i]).append(',').append(String.format(Locale.ROOT, "%.2f", x[i])).append(',').append(c)
                    .append(',').append(i % 7).append('\n');
        }
        return out.toString();
    }

    public String csv() {
        return csv(0, x.length);
    }

    public int rows() {
        return x.length;
    }

    /** Writes the split as {@code part-00000.csv}... in {@code folder}, {@code parts} files. */
    public Path write(Path folder, int parts) throws IOException {
        Files.createDirectories(folder);
        int per = (x.length + parts - 1) / parts;
        for (int p = 0; p < parts; p++) {
            Files.writeString(folder.resolve(String.format(Locale.ROOT, "part-%05d.csv", p)),
                    csv(p * per, Math.min(x.length, (p + 1) * per)), StandardCharsets.UTF_8);
        }
        return folder;
    }

    /** AUC of the first {@code n} records by counting pairs (ties count one half): the reference. */
    public double expectedAuc(int n) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    wins += x[i] > x[j] ? 1 : x[i] == x[j] ? 0.5 : 0;
                }
            }
        }
        return wins / pairs;
    }

    public double expectedAuc() {
        return expectedAuc(x.length);
    }
}
