package io.mlops.lambdas.modelgroup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The CloudFormation custom resource event as the CDK Provider framework passes it to {@code onEvent}
 * (AWS CloudFormation User Guide, "Custom resource request objects"). CloudFormation sends every
 * property value as a string; lists (e.g. Tags) stay lists. Unknown fields are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CustomResourceEvent(
        @JsonProperty("RequestType") String requestType,
        @JsonProperty("ServiceToken") String serviceToken,
        @JsonProperty("ResponseURL") String responseUrl,
        @JsonProperty("StackId") String stackId,
        @JsonProperty("RequestId") String requestId,
        @JsonProperty("ResourceType") String resourceType,
        @JsonProperty("LogicalResourceId") String logicalResourceId,
        @JsonProperty("PhysicalResourceId") String physicalResourceId,
        @JsonProperty("ResourceProperties") Map<String, Object> resourceProperties,
        @JsonProperty("OldResourceProperties") Map<String, Object> oldResourceProperties) {

    public CustomResourceEvent {
        resourceProperties = resourceProperties == null ? Map.of() : resourceProperties;
        oldResourceProperties = oldResourceProperties == null ? Map.of() : oldResourceProperties;
    }
}
