package io.mlops.systemtests.report;

/** HTML helpers for the self-contained reports (no scripts, no external resources). */
public final class Html {
    /** Inline style shared by every report page. */
    public static final String STYLE = """
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:980px;color:#222}
            h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
            table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
            th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
            .warn{background:#fff6e0;border-left:4px solid #e0a000;padding:.4rem .8rem;margin:.4rem 0}
            .pass{color:#107010;font-weight:bold}.fail{color:#b00020;font-weight:bold}
            svg{background:#fff;border:1px solid #ddd;margin:.5rem 0}
            svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#333}
            """;

    private Html() {
    }

    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A complete page around {@code body} (already HTML). */
    public static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>" + STYLE + "</style></head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body
                + "\n</body></html>\n";
    }
}
