package io.mlops.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/contracts/aws-api.md names, for every documented AWS rule, the test that proves it: each
 * {@code `SomeTest#method`} (or a following {@code `#method`} in the same entry) must be a test method
 * that exists in this repository, so the record cannot point at a test that was renamed or deleted.
 */
class AwsApiContractDocTest {
    private static final Path DOC = TestApps.REPO_ROOT.resolve("docs/contracts/aws-api.md");
    private static final Pattern REF = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))?#([a-zA-Z0-9]+)`");
    private static final Pattern CLASS = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))`");

    @Test
    void everyTestTheRecordNamesExists() throws IOException {
        Map<String, Path> tests = testSources();
        List<String> missing = new ArrayList<>();
        int checked = 0;
        String current = null;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("**") || line.startsWith("#")) {
                current = null; // a new entry: a bare `#method` refers to a class named in this entry
            }
            Matcher m = REF.matcher(line);
            while (m.find()) {
                current = m.group(1) != null ? m.group(1) : current;
                if (current == null) {
                    missing.add("'#" + m.group(2) + "' without a test class before it: " + line.strip());
                    continue;
                }
                Path source = tests.get(current);
                checked++;
                if (source == null) {
                    missing.add(current + " (no such test class)");
                } else if (!Files.readString(source).contains("void " + m.group(2) + "(")) {
                    missing.add(current + "#" + m.group(2));
                }
            }
            Matcher c = CLASS.matcher(line);
            while (c.find()) {
                checked++;
                if (!tests.containsKey(c.group(1))) {
                    missing.add(c.group(1) + " (no such test class)");
                }
            }
        }
        assertThat(checked).as("references found in %s", DOC).isGreaterThan(50);
        assertThat(missing).as("tests named in %s that do not exist", DOC).isEmpty();
    }

    private static Map<String, Path> testSources() {
        try (Stream<Path> files = Files.walk(TestApps.REPO_ROOT, 12)) {
            return files.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith(".java"))
                    .filter(p -> !p.toString().contains("/node_modules/"))
                    .collect(Collectors.toMap(p -> p.getFileName().toString().replace(".java", ""), p -> p, (a, b) -> a));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
