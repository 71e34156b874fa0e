package io.mlops.infra.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.infra.TestApps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.s3.CfnBucket;

/** The cfn-guard gate (npm-shipped binary and Control Tower rules) fails synth and honours acknowledgments. */
class CfnGuardPluginTest {
    private static final CfnGuardPlugin GUARD = CfnGuardPlugin.fromRepoRoot(TestApps.REPO_ROOT);

    private static App app(Path outdir) {
        App app = new App(AppProps.builder().outdir(outdir.toString()).build());
        Validations.of(app).addPlugins(GUARD);
        return app;
    }

    @Test
    void failsOnADeliberatelyNonCompliantTemplate(@TempDir Path outdir) {
        App app = app(outdir);
        Stack stack = new Stack(app, "Guarded");
        CfnBucket.Builder.create(stack, "Unversioned").build();
        assertThatThrownBy(app::synth).isInstanceOf(RuntimeException.class);
        assertThat(GateReports.findings(outdir))
                .contains("cfn-guard | CT.S3.PR.1 | Guarded/Unversioned")
                .contains("cfn-guard | CT.S3.PR.11 | Guarded/Unversioned")
                .contains("cfn-guard | CT.S3.PR.10 | Guarded/Unversioned");
    }

    @Test
    void anAcknowledgedControlIsDroppedOnlyForItsConstruct(@TempDir Path outdir) {
        App app = app(outdir);
        Stack stack = new Stack(app, "Partly");
        CfnBucket acknowledged = CfnBucket.Builder.create(stack, "Acknowledged").build();
        Suppress.guard(acknowledged, "CT.S3.PR.1", "Test bucket: the public access block is deliberately absent here.");
        CfnBucket.Builder.create(stack, "Other").build();
        assertThatThrownBy(app::synth).isInstanceOf(RuntimeException.class);
        List<String> findings = GateReports.findings(outdir);
        assertThat(findings).contains("cfn-guard | CT.S3.PR.1 | Partly/Other")
                .doesNotContain("cfn-guard | CT.S3.PR.1 | Partly/Acknowledged")
                .contains("cfn-guard | CT.S3.PR.11 | Partly/Acknowledged");
    }

    @Test
    void runsOnlyTheRulesOfTheTemplatesResourceTypes(@TempDir Path dir) throws Exception {
        Path template = Files.writeString(dir.resolve("t.template.json"),
                "{\"Resources\":{\"B\":{\"Type\":\"AWS::S3::Bucket\",\"Properties\":{}}}}");
        List<Path> rules = GUARD.rulesFor(template);
        assertThat(rules).extracting(p -> p.getFileName().toString())
                .contains("ct-s3-pr-1.guard", "ct-s3-pr-10.guard")
                .doesNotContain("ct-lambda-pr-3.guard", "ct-kms-pr-1.guard");
        Map<String, Map<String, List<String>>> result = GUARD.run(List.of(template.toString()));
        assertThat(result.get(template.toString()).keySet())
                .anySatisfy(k -> assertThat(k).startsWith("CT.S3.PR.1\u0000B\u0000"));
    }

    @Test
    void failsWithTheFixWhenTheBinaryIsNotInstalled(@TempDir Path emptyRoot) {
        assertThatThrownBy(() -> CfnGuardPlugin.fromRepoRoot(emptyRoot))
                .hasMessageContaining("cfn-guard is missing").hasMessageContaining("npm ci");
    }
}
