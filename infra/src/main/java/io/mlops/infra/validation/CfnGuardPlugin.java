package io.mlops.infra.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.IPolicyValidationContext;
import software.amazon.awscdk.IPolicyValidationPlugin;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.PolicyViolatingResource;
import software.amazon.awscdk.PolicyViolation;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.constructs.IConstruct;
import software.constructs.MetadataEntry;

/**
 * CDK policy-validation plugin running the cfn-guard binary and the AWS Control Tower rules shipped
 * in the npm package {@code @cdklabs/cdk-validator-cfnguard} (pinned in package.json) over every
 * synthesized template. A finding is dropped only when the resource or one of its ancestors carries
 * {@link Suppress#guard} for that control; everything else fails synth.
 */
public final class CfnGuardPlugin implements IPolicyValidationPlugin {
    public static final String PACKAGE_DIR = "node_modules/@cdklabs/cdk-validator-cfnguard";
    private static final Pattern CONTROL = Pattern.compile("\\[(CT\\.[A-Z0-9]+\\.PR\\.[0-9]+)\\]:\\s*([^\\n]*)");
    private static final Pattern RESOURCE_PATH = Pattern.compile("^/Resources/([^/\\[]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;
    private final Path rules;

    public CfnGuardPlugin(Path binary, Path rules) {
        this.binary = binary;
        this.rules = rules;
    }

    /** The binary and Control Tower rules under the repository's node_modules; fails with the fix when absent. */
    public static CfnGuardPlugin fromRepoRoot(Path repoRoot) {
        String arch = System.getProperty("os.arch", "").matches("aarch64|arm64") ? "aarch64" : "x86_64";
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("mac") ? "macos" : "ubuntu";
        Path pkg = repoRoot.resolve(PACKAGE_DIR);
        Path binary = pkg.resolve("bin").resolve(os).resolve(arch).resolve("cfn-guard");
        Path rules = pkg.resolve("rules/control-tower/cfn-guard");
        if (!Files.isExecutable(binary) || !Files.isDirectory(rules)) {
            throw new IllegalStateException("cfn-guard is missing at " + binary + " (or its rules at " + rules
                    + "): install the pinned npm tools first: npm ci (from " + repoRoot + ")");
        }
        return new CfnGuardPlugin(binary, rules);
    }

    @Override
    public String getName() {
        return "cfn-guard";
    }

    @Override
    public String getVersion() {
        return "3.1.1";
    }

    @Override
    public PolicyValidationPluginReport validate(IPolicyValidationContext context) {
        List<String> templates = context.getTemplatePaths();
        Map<String, Map<String, List<String>>> findings = run(templates);
        Map<String, Map<String, IConstruct>> resources = resourcesByTemplate(context.getAppConstruct());
        Map<String, PolicyViolation.Builder> byControl = new TreeMap<>();
        Map<String, List<PolicyViolatingResource>> violating = new HashMap<>();
        for (var template : findings.entrySet()) {
            Map<String, IConstruct> constructs = resources.getOrDefault(normalise(template.getKey()), Map.of());
            for (var finding : template.getValue().entrySet()) {
                String[] parts = finding.getKey().split("\u0000", 3);
                String control = parts[0];
                String logicalId = parts[1];
                IConstruct construct = constructs.get(logicalId);
                if (construct != null && acknowledged(construct, Suppress.GUARD_NAMESPACE + "::" + control)) {
                    continue;
                }
                byControl.computeIfAbsent(control, c -> PolicyViolation.builder().ruleName(c)
                        .description(parts[2])
                        .fix("Fix the resource, or acknowledge it with a reason: Suppress.guard(construct, \"" + c + "\", reason)"));
                PolicyViolatingResource.Builder r = PolicyViolatingResource.builder()
                        .resourceLogicalId(logicalId).templatePath(template.getKey()).locations(finding.getValue());
                if (construct != null) {
                    r.constructPath(construct.getNode().getPath());
                }
                violating.computeIfAbsent(control, c -> new ArrayList<>()).add(r.build());
            }
        }
        List<PolicyViolation> violations = new ArrayList<>();
        byControl.forEach((control, b) -> violations.add(b.violatingResources(violating.get(control)).build()));
        return PolicyValidationPluginReport.builder().success(violations.isEmpty()).violations(violations).build();
    }

    /**
     * Runs cfn-guard on the templates. Result: template path → ("control\0logicalId\0description" → locations).
     */
    public Map<String, Map<String, List<String>>> run(List<String> templates) {
        Map<String, Map<String, List<String>>> all = new LinkedHashMap<>();
        for (String template : templates) {
            List<Path> rulesFor = rulesFor(Path.of(template));
            if (rulesFor.isEmpty()) {
                all.put(template, Map.of());
                continue;
            }
            all.putAll(runGuard(template, rulesFor));
        }
        return all;
    }

    /**
     * The rule files that can apply to the template: those naming one of its resource types (each
     * Control Tower rule checks one type and SKIPs templates without it), plus any rule naming no
     * type at all. Same verdicts as running every rule, in a fraction of the time.
     */
    List<Path> rulesFor(Path template) {
        Set<String> types = new LinkedHashSet<>();
        try {
            JsonNode resources = JSON.readTree(template.toFile()).path("Resources");
            resources.forEach(r -> types.add(r.path("Type").asText()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read template " + template + ": " + e.getMessage(), e);
        }
        List<Path> selected = new ArrayList<>();
        for (Map.Entry<Path, Set<String>> rule : ruleTypes().entrySet()) {
            if (rule.getValue().isEmpty() || rule.getValue().stream().anyMatch(types::contains)) {
                selected.add(rule.getKey());
            }
        }
        return selected;
    }

    private Map<Path, Set<String>> ruleTypes;

    private synchronized Map<Path, Set<String>> ruleTypes() {
        if (ruleTypes == null) {
            Map<Path, Set<String>> map = new TreeMap<>();
            Pattern type = Pattern.compile("\"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\"");
            try (var files = Files.walk(rules)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".guard")).toList()) {
                    Set<String> types = new LinkedHashSet<>();
                    Matcher m = type.matcher(Files.readString(f, StandardCharsets.UTF_8));
                    while (m.find()) {
                        types.add(m.group(1));
                    }
                    map.put(f, types);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the cfn-guard rules under " + rules + ": " + e.getMessage(), e);
            }
            if (map.isEmpty()) {
                throw new IllegalStateException("no cfn-guard rules (*.guard) under " + rules + ": reinstall with npm ci");
            }
            ruleTypes = map;
        }
        return ruleTypes;
    }

    private Map<String, Map<String, List<String>>> runGuard(String template, List<Path> ruleFiles) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "validate", "--data", template,
                "--output-format", "json", "--show-summary", "none", "--structured"));
        for (Path rule : ruleFiles) {
            command.add("--rules");
            command.add(rule.toString());
        }
        String out;
        int exit;
        try {
            Path stdout = Files.createTempFile("cfn-guard", ".json");
            Path stderr = Files.createTempFile("cfn-guard", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("cfn-guard did not finish within 5 minutes on " + template);
                }
                exit = p.exitValue();
                out = Files.readString(stdout, StandardCharsets.UTF_8);
                if (exit != 0 && exit != 19) {
                    throw new IllegalStateException("cfn-guard failed (exit " + exit + ") on " + template + ": "
                            + Files.readString(stderr, StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run cfn-guard at " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running cfn-guard", e);
        }
        return parse(out, exit);
    }

    static Map<String, Map<String, List<String>>> parse(String out, int exit) {
        JsonNode root;
        try {
            root = JSON.readTree(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read cfn-guard's JSON output: " + e.getMessage(), e);
        }
        Map<String, Map<String, List<String>>> result = new LinkedHashMap<>();
        boolean anyFailure = false;
        for (JsonNode file : root) {
            String template = file.path("name").asText();
            Map<String, List<String>> findings = new LinkedHashMap<>();
            for (JsonNode rule : file.path("not_compliant")) {
                anyFailure = true;
                Map<String, String> controls = new LinkedHashMap<>();
                Set<String> paths = new LinkedHashSet<>();
                collect(rule, controls, paths);
                if (controls.isEmpty()) {
                    controls.put(rule.findPath("name").asText("unknown-rule"), "cfn-guard rule failed");
                }
                Map<String, List<String>> locationsById = new LinkedHashMap<>();
                for (String path : paths) {
                    Matcher m = RESOURCE_PATH.matcher(path);
                    if (m.find()) {
                        locationsById.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(path);
                    }
                }
                if (locationsById.isEmpty()) {
                    locationsById.put("(template)", new ArrayList<>(List.of("/")));
                }
                for (var control : controls.entrySet()) {
                    for (var resource : locationsById.entrySet()) {
                        findings.merge(control.getKey() + "\u0000" + resource.getKey() + "\u0000" + control.getValue(),
                                resource.getValue(), (a, b) -> {
                                    List<String> all = new ArrayList<>(a);
                                    all.addAll(b);
                                    return all;
                                });
                    }
                }
            }
            result.put(template, findings);
        }
        if (exit == 19 && !anyFailure) {
            throw new IllegalStateException("cfn-guard reported failures (exit 19) but its JSON output has none: " + out);
        }
        return result;
    }

    private static void collect(JsonNode node, Map<String, String> controls, Set<String> paths) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isTextual()) {
                    if (e.getKey().equals("path") && v.asText().startsWith("/Resources/")) {
                        paths.add(v.asText());
                    } else if (e.getKey().equals("custom_message")) {
                        Matcher m = CONTROL.matcher(v.asText());
                        while (m.find()) {
                            controls.putIfAbsent(m.group(1), m.group(2).strip());
                        }
                    }
                } else {
                    collect(v, controls, paths);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, controls, paths));
        }
    }

    /** Template path → (logical id → CfnResource construct), for every stack under the app. */
    private static Map<String, Map<String, IConstruct>> resourcesByTemplate(IConstruct app) {
        Map<String, Map<String, IConstruct>> result = new HashMap<>();
        if (app == null) {
            return result;
        }
        for (IConstruct c : app.getNode().findAll()) {
            if (c instanceof CfnResource resource) {
                Stack stack = Stack.of(resource);
                String template = normalise(Path.of(stack.getTemplateFile()).getFileName().toString());
                String logicalId = String.valueOf(stack.resolve(resource.getLogicalId()));
                result.computeIfAbsent(template, k -> new HashMap<>()).put(logicalId, resource);
            }
        }
        return result;
    }

    private static String normalise(String templatePath) {
        return Path.of(templatePath).getFileName().toString();
    }

    /** True when {@code id} is acknowledged on the construct or an ancestor (as cdk-nag does it). */
    static boolean acknowledged(IConstruct construct, String id) {
        for (IConstruct c = construct; c != null; c = c.getNode().getScope()) {
            for (MetadataEntry entry : c.getNode().getMetadata()) {
                if (Validations.ACKNOWLEDGED_RULES_METADATA_KEY.equals(entry.getType())
                        && entry.getData() instanceof Map<?, ?> data && data.containsKey(id)) {
                    return true;
                }
            }
        }
        return false;
    }
}
