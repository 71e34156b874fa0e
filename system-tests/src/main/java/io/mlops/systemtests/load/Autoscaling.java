package io.mlops.systemtests.load;

import java.util.Locale;

/**
 * The target-tracking value for SageMaker endpoint autoscaling that a measured throughput implies,
 * per AWS's guidance: {@code SageMakerVariantInvocationsPerInstance = max RPS per instance × safety
 * factor (0.5) × 60} (the metric counts invocations per instance per minute).
 *
 * @param instances                       instances that served the load
 * @param maxSustainedRps                 best sustained 2xx requests per second of the whole endpoint
 * @param maxRpsPerInstance               {@code maxSustainedRps / instances}
 * @param safetyFactor                    0.5
 * @param invocationsPerInstancePerMinute the recommended {@code SageMakerVariantInvocationsPerInstance}
 * @param explanation                     the computation with its numbers, for people
 */
public record Autoscaling(int instances, double maxSustainedRps, double maxRpsPerInstance, double safetyFactor,
        double invocationsPerInstancePerMinute, String explanation) {

    public static final double SAFETY_FACTOR = 0.5;

    public static Autoscaling of(double maxSustainedRps, int instances) {
        double perInstance = maxSustainedRps / instances;
        double target = perInstance * SAFETY_FACTOR * 60;
        String explanation = String.format(Locale.ROOT,
                "SageMakerVariantInvocationsPerInstance = max sustained RPS per instance × %.1f × 60 = "
                        + "(%.2f req/s / %d instance%s) × %.1f × 60 = %.0f invocations per instance per minute",
                SAFETY_FACTOR, maxSustainedRps, instances, instances == 1 ? "" : "s", SAFETY_FACTOR, target);
        return new Autoscaling(instances, round(maxSustainedRps), round(perInstance), SAFETY_FACTOR,
                Math.round(target * 10) / 10.0, explanation);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
