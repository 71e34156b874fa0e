package io.mlops.lambdas.pipeline;

import io.mlops.lambdas.core.AwsErrors;

import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.core.JsonStreamHandler;
import io.mlops.lambdas.core.MissingEnvironmentException;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.FailureType;

/**
 * The CodePipeline job protocol, implemented once. Subclasses implement {@link #run}; this class
 * binds the event, reports success, continuation or failure, and turns every exception into a
 * PutJobFailureResult with a message a person can act on (never a silent action timeout). The
 * Lambda request id is the external execution id, so a failure links to its log stream.
 *
 * @param <P> the handler's user parameters
 */
public abstract class PipelineJobHandler<P extends UserParameters> extends JsonStreamHandler<CodePipelineEvent, Void> {
    private final Class<P> paramsType;
    private final JobReporter reporter;

    protected PipelineJobHandler(Class<P> paramsType, CodePipelineClient codePipeline) {
        super(CodePipelineEvent.class);
        this.paramsType = paramsType;
        this.reporter = new JobReporter(codePipeline);
    }

    /** Does (or checks on) the work; throws {@link JobFailedException} for failures a person must fix. */
    protected abstract JobOutcome run(PipelineJob<P> job, Context context);

    /** Short handler name used in logs and messages. */
    protected String name() {
        return getClass().getSimpleName().replace("Handler", "");
    }

    @Override
    public final Void handle(CodePipelineEvent event, Context context) {
        String jobId = requireJobId(event);
        String requestId = context == null ? "local" : context.getAwsRequestId();
        HandlerLog log = new HandlerLog(name(), context);
        log.info("job received", Map.of("jobId", jobId));
        JobOutcome outcome;
        try {
            outcome = run(PipelineJob.from(event, paramsType), context);
        } catch (MissingEnvironmentException e) {
            log.error("function misconfigured: " + e.getMessage(), e);
            reporter.failed(jobId, FailureType.CONFIGURATION_ERROR, name() + ": " + e.getMessage(), requestId);
            return null;
        } catch (JobFailedException e) {
            log.error("job failed: " + e.getMessage(), e);
            reporter.failed(jobId, e.type(), e.getMessage(), requestId);
            return null;
        } catch (AwsServiceException e) {
            log.error("AWS call failed", e);
            reporter.failed(jobId, failureType(e), describe(e), requestId);
            return null;
        } catch (SdkClientException e) {
            log.error("AWS SDK client error", e);
            reporter.failed(jobId, FailureType.SYSTEM_UNAVAILABLE, name() + " could not reach AWS: " + e.getMessage()
                    + ". This is usually transient: retry the stage. Lambda request id " + requestId + ".", requestId);
            return null;
        } catch (RuntimeException | Error e) {
            log.error("unexpected error", e);
            reporter.failed(jobId, FailureType.JOB_FAILED, name() + " failed unexpectedly: " + e
                    + ". See the function's log stream for request id " + requestId + ", then retry the stage.", requestId);
            if (e instanceof Error error) {
                throw error;
            }
            return null;
        }
        try {
            if (outcome instanceof JobOutcome.Succeeded done) {
                log.info("job succeeded: " + done.summary(), Map.of("outputVariables", done.outputVariables()));
                reporter.succeeded(jobId, done, requestId);
            } else if (outcome instanceof JobOutcome.InProgress running) {
                log.info("job in progress: " + running.summary(), Map.of("continuationToken", running.continuationToken()));
                reporter.inProgress(jobId, running, requestId);
            }
        } catch (AwsServiceException e) {
            reportRejectedSuccess(jobId, requestId, e, log);
        }
        return null;
    }

    /**
     * CodePipeline rejected the success report (ValidationException, OutputVariablesSizeExceededException, ...):
     * without a failure report the action would wait for its 20-minute timeout with no message. A job that
     * CodePipeline no longer knows or that is no longer in progress (JobNotFoundException,
     * InvalidJobStateException, both documented) cannot take any report: only the log says it.
     */
    private void reportRejectedSuccess(String jobId, String requestId, AwsServiceException e, HandlerLog log) {
        log.error("CodePipeline rejected the success report", e);
        if (AwsErrors.hasCode(e, "JobNotFoundException") || AwsErrors.hasCode(e, "InvalidJobStateException")) {
            return;
        }
        reporter.failed(jobId, FailureType.JOB_FAILED, name() + " finished its work, but CodePipeline rejected the success "
                + "report: " + AwsErrors.codeAndMessage(e) + ". This is a defect of the handler (for example output variables "
                + "over CodePipeline's size limit): report it with Lambda request id " + requestId + ".", requestId);
    }

    private static String requireJobId(CodePipelineEvent event) {
        if (event == null || event.job() == null || event.job().id() == null || event.job().id().isBlank()) {
            // Without a job id nothing can be reported to CodePipeline: fail the invocation itself.
            throw new IllegalArgumentException("not a CodePipeline job event: 'CodePipeline.job.id' is missing. "
                    + "This function must be invoked by a CodePipeline Lambda invoke action.");
        }
        return event.job().id();
    }

    static FailureType failureType(AwsServiceException e) {
        int status = e.statusCode();
        String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
        if (status == 403 || code.contains("AccessDenied") || code.contains("Unauthorized")) {
            return FailureType.PERMISSION_ERROR;
        }
        if (status >= 500 || e.isThrottlingException()) {
            return FailureType.SYSTEM_UNAVAILABLE;
        }
        return FailureType.JOB_FAILED;
    }

    /** "SageMaker rejected the request: ValidationException (HTTP 400, request id ...): message. Fix hint". */
    String describe(AwsServiceException e) {
        var details = e.awsErrorDetails();
        String service = details == null || details.serviceName() == null ? "AWS" : details.serviceName();
        String code = details == null || details.errorCode() == null ? "an error" : details.errorCode();
        // An error without a body (e.g. a bare 503 from a proxy) has no code or message: use the exception's.
        String message = details == null || details.errorMessage() == null ? e.getMessage() : details.errorMessage();
        String hint = switch (failureType(e)) {
            case PERMISSION_ERROR -> " The function's role lacks a permission: see the IAM actions in lambdas/README.md.";
            case SYSTEM_UNAVAILABLE -> " The service was unavailable or throttled after retries: retry the stage.";
            default -> "";
        };
        String requestId = e.requestId() == null ? "" : ", request id " + e.requestId();
        return name() + ": " + service + " returned " + code + " (HTTP " + e.statusCode() + requestId + "): "
                + message + "." + hint;
    }
}
