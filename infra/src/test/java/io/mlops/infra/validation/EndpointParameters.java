package io.mlops.infra.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parameter values a CloudFormation action passes, checked against the template it deploys: every value
 * names a declared parameter and meets its AllowedPattern and MaxLength, and every parameter without a Default
 * gets a value. Used by the cfn-lint gate (sample values) and the pipeline emulator (values the run produced).
 */
public final class EndpointParameters {
    private EndpointParameters() {
    }

    /** The problems, each naming the parameter and the rule; empty when the values fit the template. */
    public static List<String> problems(Path template, Map<String, String> values, String label) {
        JsonNode parameters;
        try {
            parameters = new ObjectMapper().readTree(template.toFile()).path("Parameters");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> problems = new ArrayList<>();
        for (var p : values.entrySet()) {
            JsonNode declared = parameters.path(p.getKey());
            if (declared.isMissingNode()) {
                problems.add(label + " passes " + p.getKey() + ", which the template does not declare");
                continue;
            }
            if (declared.has("AllowedPattern") && !p.getValue().matches(declared.path("AllowedPattern").asText())) {
                problems.add(label + " " + p.getKey() + " '" + p.getValue() + "' does not match the template's AllowedPattern "
                        + declared.path("AllowedPattern").asText());
            }
            if (declared.has("MaxLength") && p.getValue().length() > declared.path("MaxLength").asInt()) {
                problems.add(label + " " + p.getKey() + " has length " + p.getValue().length() + " > MaxLength "
                        + declared.path("MaxLength").asInt());
            }
        }
        parameters.fieldNames().forEachRemaining(name -> {
            if (!parameters.path(name).has("Default") && !values.containsKey(name)) {
                problems.add(label + " must set the parameter " + name + " (it has no default)");
            }
        });
        return problems;
    }
}
