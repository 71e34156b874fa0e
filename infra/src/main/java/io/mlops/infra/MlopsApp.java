package io.mlops.infra;

import io.mlops.infra.config.MlopsConfig;
import io.mlops.infra.config.Regions;
import io.mlops.infra.stacks.EndpointTemplates;
import io.mlops.infra.stacks.PipelineStack;
import io.mlops.infra.validation.Gates;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app ({@code cdk.json}: {@code app}). Reads the config from context once, resolves the
 * assets, synthesizes the endpoint templates (gated), then the pipeline stack (gated).
 */
public final class MlopsApp {
    public static final String STACK_ID = "MlopsPipeline";

    private MlopsApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Path root = AssetPaths.findRepoRoot(Path.of(""));
        build(app, AssetPaths.fromRepoRoot(root), true);
        app.synth();
    }

    /** Composes the app (used by main and by the tests), in the CLI's environment ({@code CDK_DEFAULT_*}). */
    public static PipelineStack build(App app, AssetPaths assets, boolean gates) {
        return build(app, assets, gates, System.getenv("CDK_DEFAULT_ACCOUNT"), System.getenv("CDK_DEFAULT_REGION"));
    }

    /**
     * Composes the app for an account and Region (both null: environment-agnostic). Fails before building
     * anything on invalid context or an unsupported Region ({@link Regions}).
     */
    public static PipelineStack build(App app, AssetPaths assets, boolean gates, String account, String region) {
        MlopsConfig config = config(app);
        Regions.requireSupported(region);
        if (gates) {
            Gates.install(app, assets.repoRoot());
        }
        EndpointTemplates templates = EndpointTemplates.synthesize(config, assets.repoRoot(), gates);
        StackProps.Builder props = StackProps.builder()
                .stackName(config.projectName() + "-pipeline")
                .description("MLOps pipeline " + config.projectName() + ": CodePipeline, Glue ETL, SageMaker training,"
                        + " model registry, system tests (endpoints are deployed by the pipeline)");
        if (account != null && region != null) {
            props.env(Environment.builder().account(account).region(region).build());
        }
        return new PipelineStack(app, STACK_ID, props.build(), config, assets, templates);
    }

    /** The typed config of this app's context (cdk.json "context" and -c options). */
    public static MlopsConfig config(App app) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        if (app.getNode().getAllContext() instanceof Map<?, ?> all) {
            all.keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        return MlopsConfig.from(key -> app.getNode().tryGetContext(key), keys);
    }
}
