package io.mlops.infra.stacks;

import io.mlops.infra.constructs.EndpointTemplateContract;
import io.mlops.infra.config.MlopsConfig;
import io.mlops.infra.validation.Gates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

/**
 * Synthesizes the DEV and PRD endpoint stacks in a separate CDK app (same config, same gates) and
 * collects their templates into one directory, which the pipeline stack publishes to S3 for the
 * pipeline's {@code EndpointTemplates} source action. This is how the template reaches the
 * CloudFormation actions with no hand step (docs/decisions/0100-endpoint-template-delivery.md).
 */
public final class EndpointTemplates {

    private final App app;
    private final EndpointStack dev;
    private final EndpointStack prd;
    private final Path directory;

    private EndpointTemplates(App app, EndpointStack dev, EndpointStack prd, Path directory) {
        this.app = app;
        this.dev = dev;
        this.prd = prd;
        this.directory = directory;
    }

    /**
     * Builds both stacks, runs cdk-nag and cfn-guard on them (when {@code gates}), synthesizes, and
     * copies the two templates to a fresh directory. Fails like {@code cdk synth} on any finding.
     */
    public static EndpointTemplates synthesize(MlopsConfig config, Path repoRoot, boolean gates) {
        try {
            Path outdir = Files.createTempDirectory("mlops-endpoint-app");
            App app = new App(AppProps.builder().outdir(outdir.toString()).build());
            if (gates) {
                Gates.install(app, repoRoot);
            }
            EndpointStack dev = new EndpointStack(app, "endpoint-dev", config, config.dev());
            EndpointStack prd = new EndpointStack(app, "endpoint-prd", config, config.prd());
            app.synth();
            Path directory = Files.createTempDirectory("mlops-endpoint-templates");
            Files.copy(outdir.resolve(dev.templateFileName()), directory.resolve(EndpointTemplateContract.DEV_TEMPLATE), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(outdir.resolve(prd.templateFileName()), directory.resolve(EndpointTemplateContract.PRD_TEMPLATE), StandardCopyOption.REPLACE_EXISTING);
            deleteOnExit(outdir);
            deleteOnExit(directory);
            return new EndpointTemplates(app, dev, prd, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("could not synthesize the endpoint templates: " + e.getMessage(), e);
        }
    }

    private static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temp directory
            }
        }));
    }

    public App app() {
        return app;
    }

    public EndpointStack dev() {
        return dev;
    }

    public EndpointStack prd() {
        return prd;
    }

    /** Directory holding {@value EndpointTemplateContract#DEV_TEMPLATE} and {@value EndpointTemplateContract#PRD_TEMPLATE}. */
    public Path directory() {
        return directory;
    }
}
