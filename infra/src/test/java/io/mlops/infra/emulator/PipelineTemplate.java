package io.mlops.infra.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The synthesized pipeline stack template read as CodePipeline reads it: the one {@code AWS::CodePipeline::Pipeline}
 * resource, its stages in order, each stage's actions grouped by RunOrder, and for a Lambda invoke action the
 * function resource it names ({@code Handler}, {@code Environment.Variables}).
 */
public final class PipelineTemplate {
    /** {@code #{Namespace.Variable}} as CodePipeline resolves it in action configuration. */
    public static final Pattern VARIABLE = Pattern.compile("#\\{([A-Za-z0-9@_-]+)\\.([A-Za-z0-9@_-]+)}");

    /** One action of a stage. */
    public record Action(String stage, String name, String category, String provider, int runOrder, String namespace,
            JsonNode configuration, List<String> inputArtifacts, List<String> outputArtifacts) {

        public String label() {
            return stage + "." + name;
        }

        public boolean isLambda() {
            return provider.equals("Lambda");
        }

        /** Every {@code Namespace.Variable} the configuration reads (all values, any nesting, in order). */
        public Set<String> variablesRead() {
            Set<String> refs = new LinkedHashSet<>();
            collect(configuration, refs);
            return refs;
        }

        public String userParameters() {
            return configuration.path("UserParameters").asText(null);
        }

        private static void collect(JsonNode node, Set<String> refs) {
            if (node.isTextual()) {
                Matcher m = VARIABLE.matcher(node.asText());
                while (m.find()) {
                    refs.add(m.group(1) + "." + m.group(2));
                }
            }
            node.elements().forEachRemaining(child -> collect(child, refs));
        }
    }

    /** A stage: its name and its actions sorted by RunOrder (stable within one RunOrder). */
    public record Stage(String name, List<Action> actions) {
        /** The actions of each RunOrder, in ascending RunOrder. */
        public Map<Integer, List<Action>> byRunOrder() {
            Map<Integer, List<Action>> groups = new TreeMap<>();
            actions.forEach(a -> groups.computeIfAbsent(a.runOrder(), k -> new ArrayList<>()).add(a));
            return groups;
        }
    }

    /** The Lambda function of an action: logical id, handler class and the environment as written (unresolved). */
    public record Function(String logicalId, String handler, Map<String, JsonNode> environment) {
    }

    private final Path file;
    private final JsonNode template;
    private final List<Stage> stages;

    private PipelineTemplate(Path file, JsonNode template) {
        this.file = file;
        this.template = template;
        this.stages = readStages();
    }

    public static PipelineTemplate read(Path file) {
        try {
            return new PipelineTemplate(file, new ObjectMapper().readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path file() {
        return file;
    }

    public JsonNode resources() {
        return template.path("Resources");
    }

    public List<Stage> stages() {
        return stages;
    }

    public List<Action> actions() {
        return stages.stream().flatMap(s -> s.actions().stream()).toList();
    }

    public Action action(String stage, String name) {
        return actions().stream().filter(a -> a.stage().equals(stage) && a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no action " + stage + "." + name + " in " + file));
    }

    /** The function a Lambda action's {@code FunctionName} refers to ({@code Ref} to a function of this template). */
    public Function function(Action action) {
        JsonNode name = action.configuration().path("FunctionName");
        String id = name.path("Ref").asText(null);
        if (id == null) {
            throw new IllegalStateException(action.label() + ": FunctionName " + name + " is not a Ref to a function of "
                    + file.getFileName() + "; extend " + PipelineTemplate.class.getSimpleName());
        }
        return function(id);
    }

    public Function function(String logicalId) {
        JsonNode r = resources().path(logicalId);
        if (!r.path("Type").asText().equals("AWS::Lambda::Function")) {
            throw new IllegalStateException(logicalId + " is not an AWS::Lambda::Function of " + file.getFileName());
        }
        Map<String, JsonNode> env = new TreeMap<>();
        r.path("Properties").path("Environment").path("Variables").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue()));
        return new Function(logicalId, r.path("Properties").path("Handler").asText(), env);
    }

    /** Logical ids of the resources of a type, in template order. */
    public List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources().fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    public JsonNode properties(String logicalId) {
        return resources().path(logicalId).path("Properties");
    }

    private List<Stage> readStages() {
        List<String> pipelines = resourcesOfType("AWS::CodePipeline::Pipeline");
        if (pipelines.size() != 1) {
            throw new IllegalStateException("expected one AWS::CodePipeline::Pipeline in " + file + ", found " + pipelines);
        }
        List<Stage> out = new ArrayList<>();
        for (JsonNode s : properties(pipelines.get(0)).path("Stages")) {
            List<Action> actions = new ArrayList<>();
            for (JsonNode a : s.path("Actions")) {
                JsonNode type = a.path("ActionTypeId");
                actions.add(new Action(s.path("Name").asText(), a.path("Name").asText(), type.path("Category").asText(),
                        type.path("Provider").asText(), a.path("RunOrder").asInt(1), a.path("Namespace").asText(null),
                        a.path("Configuration"), names(a.path("InputArtifacts")), names(a.path("OutputArtifacts"))));
            }
            actions.sort(Comparator.comparingInt(Action::runOrder));
            out.add(new Stage(s.path("Name").asText(), List.copyOf(actions)));
        }
        return List.copyOf(out);
    }

    private static List<String> names(JsonNode artifacts) {
        List<String> names = new ArrayList<>();
        artifacts.forEach(a -> names.add(a.path("Name").asText()));
        return List.copyOf(names);
    }
}
