package io.mlops.infra.validation;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.nio.file.Path;
import software.amazon.awscdk.Stage;
import software.amazon.awscdk.Validations;

/** Installs both synth-time gates on an app or stage: cdk-nag AwsSolutions and cfn-guard. */
public final class Gates {
    private Gates() {
    }

    /** Any unacknowledged finding of either gate makes {@code synth()} fail; the report lands in the outdir. */
    public static void install(Stage appOrStage, Path repoRoot) {
        Validations.of(appOrStage).addPlugins(
                new AwsSolutionsChecks(appOrStage, NagPackProps.builder().verbose(true).build()),
                CfnGuardPlugin.fromRepoRoot(repoRoot));
    }
}
