package io.mlops.systemtests.scoring;

/**
 * Something that scores records: a SageMaker endpoint ({@link SageMakerScoringEndpoint}, SDK with
 * SigV4) or the model server's plain HTTP {@code /invocations} ({@link HttpScoringEndpoint}, e.g.
 * {@code serve} on 127.0.0.1 in the local run). The endpoint test and the load generator only see
 * this interface.
 *
 * <p>Contract: every answer the <em>model</em> gives, success or error, comes back as a
 * {@link ScoringResponse} with the model's HTTP status. Problems reaching the model at all
 * (endpoint missing, access denied, throttled after retries, connection refused, timeout) are
 * thrown as {@link EndpointUnavailableException}. Implementations are thread-safe.
 */
public interface ScoringEndpoint extends AutoCloseable {

    /**
     * Sends one request.
     *
     * @param body        request body (may be empty)
     * @param contentType {@code Content-Type} of the body
     * @param accept      {@code Accept}: the response type wanted
     * @return the model's answer
     * @throws EndpointUnavailableException when the model could not be reached
     */
    ScoringResponse invoke(byte[] body, String contentType, String accept);

    /** Human-readable target, e.g. {@code sagemaker endpoint mlops-dev (eu-west-1)} or the URL. */
    String describe();

    @Override
    void close();
}
