package io.mlops.infra.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads CDK's validation-report.json: "plugin | rule | construct path or logical id" lines. */
final class GateReports {
    private GateReports() {
    }

    static List<String> findings(Path outdir) {
        Path report = outdir.resolve("validation-report.json");
        if (!Files.isRegularFile(report)) {
            return List.of();
        }
        try {
            JsonNode root = new ObjectMapper().readTree(report.toFile());
            List<String> out = new ArrayList<>();
            for (JsonNode plugin : root.path("pluginReports")) {
                for (JsonNode v : plugin.path("violations")) {
                    JsonNode resources = v.has("violatingConstructs") ? v.path("violatingConstructs") : v.path("violatingResources");
                    for (JsonNode r : resources) {
                        String where = r.hasNonNull("constructPath") ? r.path("constructPath").asText() : r.path("resourceLogicalId").asText();
                        out.add(plugin.path("pluginName").asText() + " | " + v.path("ruleName").asText() + " | " + where);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
