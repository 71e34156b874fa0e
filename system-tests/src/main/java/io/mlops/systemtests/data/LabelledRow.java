package io.mlops.systemtests.data;

import java.util.List;

/**
 * One test record.
 *
 * @param label    0 or 1
 * @param features the feature values in header order (label removed)
 * @param source   file it came from
 * @param line     line number in that file
 */
public record LabelledRow(int label, List<String> features, String source, long line) {
}
