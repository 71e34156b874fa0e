package io.mlops.infra.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.infra.MlopsApp;
import io.mlops.infra.TestApps;
import io.mlops.infra.config.Regions;
import io.mlops.infra.stacks.PipelineStack;
import io.mlops.infra.validation.CfnLint.Finding;
import io.mlops.infra.validation.CfnLintAcknowledgements.Entry;
import io.mlops.infra.validation.CfnLintAcknowledgements.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/**
 * The cfn-lint gate: every template the app synthesizes (the pipeline stack, both endpoint templates with the
 * parameter values the pipeline's CloudFormation actions pass, and any other stack in the assembly), in every
 * context variant below, linted for every supported Region ({@link Regions#SUPPORTED}). Any error or warning
 * not acknowledged in {@value CfnLintAcknowledgements#FILE} fails the build, and so does an acknowledgement that
 * no longer matches anything. Informational findings are printed (counts per rule), not judged: most are
 * style hints on the code CDK generates (I1022: Fn::Sub instead of Fn::Join).
 */
class CfnLintGateTest {
    /** Context variants whose templates differ: the defaults, and the switches that add or change resources (both DEV modes, both sources). */
    static final List<Map<String, Object>> VARIANTS = List.of(
            Map.of(),
            Map.of("mlops:approvalEmail", "ml-team@example.com", "mlops:removalPolicy", "destroy",
                    "mlops:logRetentionDays", 731),
            // DEV on an instance (the default is serverless); GitHub through CodeConnections with DeleteDev.
            io.mlops.infra.stacks.DevModeAndSourceTest.INSTANCE,
            io.mlops.infra.stacks.DevModeAndSourceTest.GITHUB_DELETE_DEV);

    private static CfnLint lint;
    private static CfnLintAcknowledgements acknowledgements;

    /** A template to lint and the parameter values it is deployed with. */
    record Target(Path template, Map<String, String> parameters, String label) {
    }

    @BeforeAll
    static void locate() {
        lint = CfnLint.locate();
        acknowledgements = CfnLintAcknowledgements.load(TestApps.REPO_ROOT.resolve(CfnLintAcknowledgements.FILE));
    }

    @Test
    void everyTemplateTheAppSynthesizesPassesCfnLintInEverySupportedRegion() throws Exception {
        List<Target> targets = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Map<String, Object> variant : VARIANTS) {
            for (Target t : targetsOf(variant)) {
                if (seen.add(sha256(t.template()) + t.parameters())) {
                    targets.add(t);
                }
            }
        }
        assertThat(targets).extracting(t -> t.template().getFileName().toString())
                .contains("MlopsPipeline.template.json", "endpoint-dev.template.json", "endpoint-prd.template.json");

        List<Finding> findings = lintAll(targets);
        Verdict verdict = acknowledgements.judge(findings.stream().filter(f -> !f.level().equals("Informational")).toList());
        Map<String, Long> informational = new TreeMap<>(findings.stream().filter(f -> f.level().equals("Informational"))
                .collect(Collectors.groupingBy(Finding::rule, Collectors.counting())));
        Map<String, Long> byLevel = new TreeMap<>(findings.stream().collect(Collectors.groupingBy(Finding::level, Collectors.counting())));
        System.out.println("[cfn-lint gate] " + targets.size() + " templates x " + Regions.SUPPORTED.size() + " Regions: "
                + findings.size() + " findings " + byLevel + ", " + verdict.acknowledged().size() + " acknowledged in "
                + CfnLintAcknowledgements.FILE + ", " + verdict.unacknowledged().size() + " open; informational by rule "
                + informational);
        assertThat(verdict.unacknowledged())
                .as("cfn-lint findings: fix each, or acknowledge it with its reason in " + CfnLintAcknowledgements.FILE)
                .isEmpty();
        assertThat(verdict.unused())
                .as("acknowledgements in " + CfnLintAcknowledgements.FILE + " that match no finding any more: delete them")
                .isEmpty();
    }

    @Test
    void failsOnATemplateWithAKnownError(@TempDir Path dir) throws IOException {
        // The defect cfn-lint found in this project: an output description built from a token (E6003).
        Path bad = Files.writeString(dir.resolve("Bad.template.json"), """
                {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                 "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"},
                   "Description": {"Fn::Join": ["", ["Topic in ", {"Ref": "AWS::Region"}]]}}}}
                """);
        Verdict verdict = acknowledgements.judge(lint.lint(bad, List.of("us-east-1"), Map.of()));
        assertThat(verdict.passes()).isFalse();
        assertThat(verdict.unacknowledged()).extracting(Finding::rule, Finding::level, Finding::logicalId)
                .contains(org.assertj.core.groups.Tuple.tuple("E6003", "Error", "TopicArn"));
    }

    @Test
    void failsWhenAnAcknowledgementMatchesNothingAndCoversOnlyItsResources(@TempDir Path dir) throws IOException {
        Path template = Files.writeString(dir.resolve("Two.template.json"), """
                {"Resources": {
                  "A": {"Type": "AWS::SNS::Topic", "Properties": {"Unknown": 1}},
                  "B": {"Type": "AWS::SNS::Topic", "Properties": {"Unknown": 1}}}}
                """);
        List<Finding> findings = lint.lint(template, List.of("us-east-1"), Map.of());
        Entry onlyA = new Entry("E3002", "Two.template.json", Pattern.compile("A"), null, "test: A is acknowledged, B is not");
        Entry stale = new Entry("E3002", "Other.template.json", Pattern.compile("A"), null, "test: matches no template");
        Verdict verdict = CfnLintAcknowledgements.of(List.of(onlyA, stale)).judge(findings);
        assertThat(verdict.acknowledged()).extracting(Finding::logicalId).containsOnly("A");
        assertThat(verdict.unacknowledged()).extracting(Finding::logicalId).containsOnly("B");
        assertThat(verdict.unused()).containsExactly(stale);
    }

    @Test
    void endpointParametersThePipelinePassesMatchTheTemplates() throws Exception {
        for (Map<String, Object> variant : VARIANTS) {
            for (Target t : targetsOf(variant)) {
                if (!t.template().getFileName().toString().startsWith("endpoint-")) {
                    continue;
                }
                assertThat(EndpointParameters.problems(t.template(), t.parameters(), t.label()))
                        .as("parameters the pipeline passes to " + t.label()).isEmpty();
            }
        }
    }

    /** Synthesizes the app in a context variant; every stack of the assembly plus the endpoint templates. */
    static List<Target> targetsOf(Map<String, Object> variant) throws IOException {
        App app = TestApps.app(variant);
        PipelineStack stack = MlopsApp.build(app, TestApps.assets(), false, null, null);
        CloudAssembly assembly = app.synth();
        List<Target> targets = new ArrayList<>();
        Path pipelineTemplate = null;
        for (CloudFormationStackArtifact artifact : assembly.getStacks()) {
            Path file = Path.of(artifact.getTemplateFullPath());
            if (artifact.getStackName().equals(stack.getStackName())) {
                pipelineTemplate = file;
            }
            targets.add(new Target(file, Map.of(), artifact.getStackName() + " " + variant));
        }
        assertThat(pipelineTemplate).as("the pipeline stack is in the assembly").isNotNull();
        DeployedValues values = DeployedValues.of(pipelineTemplate);
        for (var action : cloudFormationActions(pipelineTemplate, values).entrySet()) {
            Path template = stack.templates().directory().resolve(action.getKey());
            assertThat(template).as("template the pipeline deploys: " + action.getKey()).isRegularFile();
            targets.add(new Target(template, action.getValue(), action.getKey() + " " + variant));
        }
        return targets;
    }

    /** Template file name → parameter overrides as the pipeline's CloudFormation actions pass them (resolved). */
    static Map<String, Map<String, String>> cloudFormationActions(Path pipelineTemplate, DeployedValues values) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode resources = json.readTree(pipelineTemplate.toFile()).path("Resources");
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (JsonNode r : resources) {
            if (!r.path("Type").asText().equals("AWS::CodePipeline::Pipeline")) {
                continue;
            }
            for (JsonNode stage : r.path("Properties").path("Stages")) {
                for (JsonNode a : stage.path("Actions")) {
                    if (!a.path("ActionTypeId").path("Provider").asText().equals("CloudFormation")
                            || a.path("Configuration").path("ActionMode").asText().equals("DELETE_ONLY")) {
                        continue; // DeleteDev deploys no template
                    }
                    String path = a.path("Configuration").path("TemplatePath").asText();
                    String overrides = values.resolve(a.path("Configuration").path("ParameterOverrides"));
                    out.put(path.substring(path.indexOf("::") + 2),
                            json.readValue(overrides, new TypeReference<LinkedHashMap<String, String>>() { }));
                }
            }
        }
        assertThat(out).as("the pipeline deploys the endpoint templates").isNotEmpty();
        return out;
    }

    private static List<Finding> lintAll(List<Target> targets) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Finding>>> futures = new ArrayList<>();
            for (Target t : targets) {
                futures.add(pool.submit(() -> lint.lint(t.template(), Regions.SUPPORTED, t.parameters())));
            }
            List<Finding> all = new ArrayList<>();
            for (Future<List<Finding>> f : futures) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
