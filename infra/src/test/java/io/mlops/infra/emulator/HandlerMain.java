package io.mlops.infra.emulator;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The child JVM's entry point (JDK classes only; the handler and the Lambda runtime interfaces come from the
 * bundle on the class path): constructs the handler class with its production no-arg constructor, as Lambda
 * does, and calls {@code handleRequest(InputStream, OutputStream, Context)} once with the event from stdin and a
 * Context whose request id is random. Prints {@code RESPONSE <json>} to stdout; an exception out of the handler
 * exits 1 (Lambda would report the invocation as failed).
 */
public final class HandlerMain {
    private HandlerMain() {
    }

    public static void main(String[] args) throws Exception {
        ClassLoader loader = HandlerMain.class.getClassLoader();
        Class<?> handlerType = Class.forName(args[0], true, loader);
        Class<?> contextType = Class.forName("com.amazonaws.services.lambda.runtime.Context", true, loader);
        Class<?> loggerType = Class.forName("com.amazonaws.services.lambda.runtime.LambdaLogger", true, loader);
        String requestId = UUID.randomUUID().toString();
        Object logger = Proxy.newProxyInstance(loader, new Class<?>[] {loggerType}, (p, m, a) -> {
            if (m.getName().equals("log") && a != null && a.length > 0) {
                String line = a[0] instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(a[0]);
                System.err.println(line);
            }
            return null;
        });
        Object context = Proxy.newProxyInstance(loader, new Class<?>[] {contextType}, (p, m, a) -> switch (m.getName()) {
            case "getAwsRequestId" -> requestId;
            case "getLogger" -> logger;
            case "getFunctionName" -> System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", args[0]);
            case "getRemainingTimeInMillis" -> 60_000;
            case "getMemoryLimitInMB" -> 1024;
            case "toString" -> "EmulatorContext[" + requestId + "]";
            default -> null;
        });
        Object handler = handlerType.getDeclaredConstructor().newInstance();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handlerType.getMethod("handleRequest", InputStream.class, OutputStream.class, contextType)
                    .invoke(handler, System.in, out, context);
        } catch (InvocationTargetException e) {
            e.getCause().printStackTrace();
            System.exit(1);
        }
        System.out.println("RESPONSE " + out.toString(StandardCharsets.UTF_8));
        System.out.flush();
        System.exit(0);
    }
}
