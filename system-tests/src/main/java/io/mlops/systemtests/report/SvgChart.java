package io.mlops.systemtests.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Small inline-SVG line charts for the HTML reports: no library, no script, no CDN. The x axis is
 * linear ({@link #linear}) or the percentile scale {@code -log10(1 - p)} ({@link #percentiles}),
 * where 90%, 99%, 99.9% are evenly spaced. The y axis starts at 0.
 */
public final class SvgChart {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    private static final int WIDTH = 900;
    private static final int HEIGHT = 320;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 48;
    /** The percentile axis ends at 99.999%. */
    private static final double MAX_NINES = 5;

    /** A named line; {@code x[i]}, {@code y[i]} are its points. */
    public record Series(String name, double[] x, double[] y) {
    }

    private SvgChart() {
    }

    /**
     * A chart with a linear x axis.
     *
     * @param id     the {@code id} attribute of the {@code <svg>} element
     * @param title  shown above the plot
     * @param xLabel axis caption
     * @param yLabel axis caption
     */
    public static String linear(String id, String title, String xLabel, String yLabel, List<Series> series) {
        double xMax = 1;
        boolean integers = true;
        for (Series s : series) {
            for (double x : s.x()) {
                xMax = Math.max(xMax, x);
                integers &= x == Math.rint(x);
            }
        }
        double step = integers ? Math.max(1, niceStep(xMax / 10)) : niceStep(xMax / 10);
        List<double[]> ticks = new ArrayList<>();
        for (double t = 0; t <= xMax + 1e-9; t += step) {
            ticks.add(new double[] {t});
        }
        return render(id, title, xLabel, yLabel, series, 0, xMax, x -> x, ticks, t -> fmt(t));
    }

    /**
     * A latency-by-percentile chart: {@code x} values are percentiles 0-100.
     */
    public static String percentiles(String id, String title, String yLabel, List<Series> series) {
        List<double[]> ticks = new ArrayList<>();
        for (int nines = 0; nines <= MAX_NINES; nines++) {
            ticks.add(new double[] {nines});
        }
        DoubleFunction<Double> scale = p -> Math.min(MAX_NINES, -Math.log10(Math.max(1e-12, 1 - p / 100.0)));
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        return render(id, title, "percentile", yLabel, series, 0, MAX_NINES, scale, ticks,
                t -> labels[(int) Math.round(t)]);
    }

    /** Ticks are given on the scaled axis (the percentile chart's ticks are counts of nines). */
    private static String render(String id, String title, String xLabel, String yLabel, List<Series> series,
            double xMin, double xMax, DoubleFunction<Double> scale, List<double[]> xTicks,
            DoubleFunction<String> xTickLabel) {
        double yMax = 0;
        for (Series s : series) {
            for (double y : s.y()) {
                yMax = Math.max(yMax, y);
            }
        }
        double yStep = niceStep(Math.max(yMax, 1e-3) / 5);
        double yTop = Math.ceil(Math.max(yMax, 1e-3) / yStep) * yStep;
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        double xSpan = Math.max(1e-9, xMax - xMin);
        DoubleFunction<Double> px = x -> LEFT + (scale.apply(x) - xMin) / xSpan * plotWidth;
        DoubleFunction<Double> py = y -> TOP + plotHeight - y / yTop * plotHeight;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", Html.escape(id), WIDTH, HEIGHT, WIDTH, HEIGHT,
                Html.escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" style=\"font-size:14px;font-weight:bold\">%s</text>\n",
                LEFT, Html.escape(title)));
        for (double y = 0; y <= yTop + 1e-9; y += yStep) {
            double yy = py.apply(y);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT, yy, WIDTH - RIGHT, yy, LEFT - 6,
                    yy + 4, fmt(y)));
        }
        for (double[] tick : xTicks) {
            double xx = LEFT + (tick[0] - xMin) / xSpan * plotWidth;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", xx, TOP, xx, TOP + plotHeight, xx,
                    TOP + plotHeight + 16, Html.escape(xTickLabel.apply(tick[0]))));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
                LEFT, TOP, LEFT, TOP + plotHeight, LEFT, TOP + plotHeight, WIDTH - RIGHT, TOP + plotHeight));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                LEFT + plotWidth / 2, HEIGHT - 10, Html.escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">"
                + "%s</text>\n", TOP + plotHeight / 2, TOP + plotHeight / 2, Html.escape(yLabel)));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int k = 0; k < s.x().length; k++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px.apply(s.x()[k]), py.apply(s.y()[k])));
            }
            svg.append("<polyline class=\"series\" data-series=\"").append(Html.escape(s.name()))
                    .append("\" fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(colour).append("\" points=\"")
                    .append(points.toString().trim()).append("\"/>\n");
            int legendX = LEFT + 10 + i * 130;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n", legendX, TOP - 10, colour, legendX + 16, TOP - 6,
                    Html.escape(s.name())));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (factor * magnitude >= raw) {
                return factor * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String fmt(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e9) {
            return String.valueOf((long) value);
        }
        return String.format(Locale.ROOT, value < 1 ? "%.3f" : "%.1f", value);
    }
}
