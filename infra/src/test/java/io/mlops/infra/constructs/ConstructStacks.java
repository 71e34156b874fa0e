package io.mlops.infra.constructs;

import io.mlops.infra.TestApps;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.Code;

/** A bare stack (cdk.json context, no gates) to test one construct at a time. */
final class ConstructStacks {
    private ConstructStacks() {
    }

    static Stack stack(String id) {
        App app = TestApps.app(Map.of());
        return new Stack(app, id);
    }

    static Code lambdaCode() {
        return Code.fromAsset(TestApps.assets().lambdaJar().toString());
    }
}
