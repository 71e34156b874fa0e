package io.mlops.infra.constructs;

import io.mlops.infra.validation.Suppress;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalableTarget;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalingPolicy;
import software.amazon.awscdk.services.cloudwatch.CfnAlarm;
import software.amazon.awscdk.services.sagemaker.CfnEndpoint;
import software.amazon.awscdk.services.sagemaker.CfnEndpointConfig;
import software.amazon.awscdk.services.sagemaker.CfnModel;
import software.constructs.Construct;

/** Properties of {@link ModelEndpoint}; everything is a plain string so CloudFormation parameters (tokens) work. */
public record ModelEndpointProps(String endpointName, String modelName, String endpointConfigName, ModelEndpoint.ModelSource source, String executionRoleArn, String kmsKeyArn, String instanceType, int instanceCount, ModelEndpoint.DataCapture dataCapture, ModelEndpoint.Autoscaling autoscaling, ModelEndpoint.BlueGreen blueGreen, ModelEndpoint.Serverless serverless) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private String endpointName;
        private String modelName;
        private String endpointConfigName;
        private ModelEndpoint.ModelSource source;
        private String executionRoleArn;
        private String kmsKeyArn;
        private String instanceType;
        private int instanceCount;
        private ModelEndpoint.DataCapture dataCapture;
        private ModelEndpoint.Autoscaling autoscaling;
        private ModelEndpoint.BlueGreen blueGreen;
        private ModelEndpoint.Serverless serverless;

        /** Required. */
        public Builder endpointName(String v) { this.endpointName = v; return this; }
        /** Required. */
        public Builder modelName(String v) { this.modelName = v; return this; }
        /** Required. */
        public Builder endpointConfigName(String v) { this.endpointConfigName = v; return this; }
        /** Required. */
        public Builder source(ModelEndpoint.ModelSource v) { this.source = v; return this; }
        /** Required. */
        public Builder executionRoleArn(String v) { this.executionRoleArn = v; return this; }
        /** Required unless {@link #serverless} is set (a serverless endpoint has no storage volume to encrypt). */
        public Builder kmsKeyArn(String v) { this.kmsKeyArn = v; return this; }
        /** Required. */
        public Builder instanceType(String v) { this.instanceType = v; return this; }
        /** Required. */
        public Builder instanceCount(int v) { this.instanceCount = v; return this; }
        /** Required. */
        public Builder dataCapture(ModelEndpoint.DataCapture v) { this.dataCapture = v; return this; }
        /** Required. */
        public Builder autoscaling(ModelEndpoint.Autoscaling v) { this.autoscaling = v; return this; }
        /** Required. */
        public Builder blueGreen(ModelEndpoint.BlueGreen v) { this.blueGreen = v; return this; }
        /** Optional (null: instance-based). Serverless: instanceType/instanceCount are ignored; no data capture, autoscaling or blue/green. */
        public Builder serverless(ModelEndpoint.Serverless v) { this.serverless = v; return this; }

        public ModelEndpointProps build() {
            return new ModelEndpointProps(endpointName, modelName, endpointConfigName, source, executionRoleArn, kmsKeyArn, instanceType, instanceCount, dataCapture, autoscaling, blueGreen, serverless);
        }
    }
}
