package io.mlops.infra.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;

/** The cdk-nag gate really fails synth, and an acknowledgment only silences the finding it names. */
class NagGateTest {

    private static App app(Path outdir) {
        App app = new App(AppProps.builder().outdir(outdir.toString()).build());
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
        return app;
    }

    @Test
    void failsOnADeliberatelyNonCompliantConstruct(@TempDir Path outdir) {
        App app = app(outdir);
        Stack stack = new Stack(app, "NonCompliant");
        new Bucket(stack, "NoLogsNoTls");
        assertThatThrownBy(app::synth).isInstanceOf(RuntimeException.class);
        assertThat(GateReports.findings(outdir))
                .contains("AwsSolutions | AwsSolutions-S1 | NonCompliant/NoLogsNoTls/Resource")
                .contains("AwsSolutions | AwsSolutions-S10 | NonCompliant/NoLogsNoTls/Resource");
    }

    @Test
    void anAcknowledgmentSilencesOnlyTheNamedFindingOnItsConstruct(@TempDir Path outdir) {
        App app = app(outdir);
        Stack stack = new Stack(app, "Partly");
        Bucket acknowledged = Bucket.Builder.create(stack, "Acknowledged").enforceSsl(true)
                .encryption(BucketEncryption.S3_MANAGED).blockPublicAccess(BlockPublicAccess.BLOCK_ALL).build();
        Suppress.nag(acknowledged, "AwsSolutions-S1", "Test bucket: access logging deliberately not configured here.");
        Bucket.Builder.create(stack, "NotAcknowledged").enforceSsl(true)
                .encryption(BucketEncryption.S3_MANAGED).blockPublicAccess(BlockPublicAccess.BLOCK_ALL).build();
        assertThatThrownBy(app::synth).isInstanceOf(RuntimeException.class);
        List<String> findings = GateReports.findings(outdir);
        assertThat(findings).contains("AwsSolutions | AwsSolutions-S1 | Partly/NotAcknowledged/Resource");
        assertThat(findings).noneMatch(f -> f.contains("Partly/Acknowledged/"));
    }

    @Test
    void passesWhenEveryFindingIsAcknowledged(@TempDir Path outdir) {
        App app = app(outdir);
        Stack stack = new Stack(app, "Clean");
        Bucket bucket = Bucket.Builder.create(stack, "Bucket").enforceSsl(true)
                .encryption(BucketEncryption.S3_MANAGED).blockPublicAccess(BlockPublicAccess.BLOCK_ALL).build();
        Suppress.nag(bucket, "AwsSolutions-S1", "Test bucket: access logging deliberately not configured here.");
        app.synth();
        assertThat(GateReports.findings(outdir)).isEmpty();
    }

    @Test
    void failsToAcknowledgeWithoutARealReason() {
        App app = new App();
        Bucket bucket = new Bucket(new Stack(app, "S"), "B");
        assertThatThrownBy(() -> Suppress.nag(bucket, "AwsSolutions-S1", "n/a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a real reason");
    }
}
