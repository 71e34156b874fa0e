package io.mlops.systemtests.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Lambda {@link Context}s for tests. */
public final class LambdaContexts {
    private LambdaContexts() {
    }

    /** A context whose logger appends every line to {@code lines}; other getters answer fixed test values. */
    public static Context capturing(List<String> lines) {
        LambdaLogger logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                lines.add(message);
            }

            @Override
            public void log(byte[] message) {
                lines.add(new String(message, StandardCharsets.UTF_8));
            }
        };
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getLogger" -> logger;
                    case "getAwsRequestId" -> "req-system-tests";
                    case "getFunctionName" -> "endpoint-test";
                    case "getRemainingTimeInMillis" -> 900_000;
                    case "getMemoryLimitInMB" -> 1024;
                    case "toString" -> "LambdaContexts.capturing";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }
}
