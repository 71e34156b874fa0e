package io.mlops.localrun;

import io.mlops.systemtests.endpoint.EndpointTestReport;
import io.mlops.systemtests.load.LoadReport;

/** What the stages of one run produced so far (null: that stage did not get there); read by the report. */
final class RunState {
    EtlStage.Outcome etl;
    TrainStage.Outcome train;
    EvaluateStage.Outcome evaluation;
    GateStage.Outcome gate;
    RegistryEntry registered;
    java.nio.file.Path registeredFile;
    Long serverPid;
    String serverUrl;
    EndpointTestReport endpointTest;
    RocCurve servedRoc;
    LoadReport load;
}
