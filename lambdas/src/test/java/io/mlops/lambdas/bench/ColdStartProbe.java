package io.mlops.lambdas.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.mlops.lambdas.testing.TestContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs in a fresh JVM, like a Lambda cold start: loads the handler class, constructs it with its
 * production no-arg constructor (clients built from the environment; AWS_ENDPOINT_URL points them
 * at the benchmark's local stub), and makes the first call. Prints the timings on one line.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        Class<?> type = Class.forName(args[0]);
        RequestStreamHandler handler = (RequestStreamHandler) type.getDeclaredConstructor().newInstance();
        long t1 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new TestContext());
        long t2 = System.nanoTime();
        long jvmStart = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(-1L);
        System.out.println("RESPONSE " + out.toString(java.nio.charset.StandardCharsets.UTF_8));
        System.out.printf("PROBE init_ms=%.1f first_call_ms=%.1f total_ms=%.1f jvm_start_epoch_ms=%d%n",
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6, jvmStart);
    }
}
