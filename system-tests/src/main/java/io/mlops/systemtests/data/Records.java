package io.mlops.systemtests.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.lambdas.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Request bodies for the model server from feature records (header + values, no label): the two
 * formats of docs/contracts/model-container.md. Shared by the endpoint test and the load test.
 */
public final class Records {
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,18}");

    private Records() {
    }

    /** {@code text/csv}: the header row, then one line per record. */
    public static byte[] csv(List<String> header, List<List<String>> rows) {
        StringBuilder body = new StringBuilder(CsvReader.format(header)).append('\n');
        for (List<String> row : rows) {
            body.append(CsvReader.format(row)).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code application/json}: a list of objects keyed by column name; values of the
     * {@code numeric} columns as JSON numbers, the others as strings.
     */
    public static byte[] json(List<String> header, List<List<String>> rows, boolean[] numeric) {
        ArrayNode records = Json.EVENTS.createArrayNode();
        for (List<String> row : rows) {
            ObjectNode record = records.addObject();
            for (int c = 0; c < header.size(); c++) {
                String value = row.get(c).trim();
                if (numeric[c] && INTEGER.matcher(value).matches()) {
                    record.put(header.get(c), Long.parseLong(value));
                } else if (numeric[c]) {
                    record.put(header.get(c), Double.parseDouble(value));
                } else {
                    record.put(header.get(c), row.get(c));
                }
            }
        }
        return records.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Columns whose values in {@code rows} are all finite numbers (false for all when there are no rows). */
    public static boolean[] numericColumns(int columns, List<List<String>> rows) {
        boolean[] numeric = new boolean[columns];
        for (int c = 0; c < columns && !rows.isEmpty(); c++) {
            numeric[c] = true;
            for (List<String> row : rows) {
                if (!isNumber(row.get(c))) {
                    numeric[c] = false;
                    break;
                }
            }
        }
        return numeric;
    }

    private static boolean isNumber(String value) {
        try {
            return Double.isFinite(Double.parseDouble(value.trim()));
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
