package io.mlops.lambdas.modelgroup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the CDK Provider framework expects back from {@code onEvent}: the physical resource id and
 * the attributes ({@code Fn::GetAtt}) of the resource.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CustomResourceResponse(
        @JsonProperty("PhysicalResourceId") String physicalResourceId,
        @JsonProperty("Data") Map<String, String> data) {

    public CustomResourceResponse {
        data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }
}
