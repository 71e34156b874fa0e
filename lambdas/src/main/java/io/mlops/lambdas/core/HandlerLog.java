package io.mlops.lambdas.core;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per log line (CloudWatch Logs Insights can query the fields). Deliberately tiny:
 * no logging framework in the handler jar (size, cold start); see docs/decisions/0001.
 */
public final class HandlerLog {
    private final String handler;
    private final LambdaLogger logger;
    private final String requestId;

    public HandlerLog(String handler, Context context) {
        this.handler = handler;
        this.logger = context == null ? null : context.getLogger();
        this.requestId = context == null ? null : context.getAwsRequestId();
    }

    public void info(String message, Map<String, ?> fields) {
        write("INFO", message, fields, null);
    }

    public void info(String message) {
        write("INFO", message, Map.of(), null);
    }

    public void error(String message, Throwable error) {
        write("ERROR", message, Map.of(), error);
    }

    private void write(String level, String message, Map<String, ?> fields, Throwable error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("level", level);
        line.put("handler", handler);
        line.put("requestId", requestId);
        line.put("message", message);
        line.putAll(fields);
        if (error != null) {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            line.put("error", error.toString());
            line.put("stackTrace", trace.toString());
        }
        String json = Json.write(line);
        if (logger != null) {
            logger.log(json + "\n");
        } else {
            System.out.println(json);
        }
    }
}
