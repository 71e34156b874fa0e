package io.mlops.lambdas.monitoring;

/**
 * What one scheduled invocation did, returned to the caller and logged.
 *
 * @param status {@code started}, {@code exists} (this window's job was already created: a retried invocation),
 *        {@code no-endpoint} (nothing deployed yet) or {@code no-traffic} (no capture in the window)
 * @param window the window start, ISO-8601 UTC
 * @param processingJobName the window's job name (null for no-endpoint)
 * @param modelDataUrl the serving model's artifact the job reads its profile from (null for no-endpoint)
 */
public record MonitorLaunch(String status, String window, String processingJobName, String modelDataUrl) {
    public static final String STARTED = "started";
    public static final String EXISTS = "exists";
    public static final String NO_ENDPOINT = "no-endpoint";
    public static final String NO_TRAFFIC = "no-traffic";
}
