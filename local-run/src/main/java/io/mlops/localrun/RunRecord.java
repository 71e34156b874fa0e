package io.mlops.localrun;

import io.mlops.systemtests.endpoint.EndpointTestReport;
import io.mlops.systemtests.load.LoadReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the stages of one run returned so far (null: that stage did not get there), for {@code run.json}, the
 * report and the summary. Immutable: the pipeline keeps each stage's outcome with a {@code with...} copy; the
 * stages themselves take their inputs as parameters, not from here.
 *
 * @param registered   the registry entry written by stage 5 and its file
 * @param serverPid    the PID {@code serve} ran as
 * @param endpointTest the endpoint check's report (also when it failed)
 * @param servedRoc    the served model's ROC curve on the whole test split (when the endpoint check passed)
 */
record RunRecord(EtlStage.Outcome etl, TrainStage.Outcome train, EvaluateStage.Outcome evaluation,
        GateStage.Outcome gate, RegisterStage.Outcome registered, Long serverPid, String serverUrl,
        EndpointTestReport endpointTest, RocCurve servedRoc, LoadReport load, MonitorStage.Outcome monitor) {
    static final RunRecord NONE = new RunRecord(null, null, null, null, null, null, null, null, null, null, null);

    RunRecord withEtl(EtlStage.Outcome value) {
        return new RunRecord(value, train, evaluation, gate, registered, serverPid, serverUrl, endpointTest, servedRoc, load, monitor);
    }

    RunRecord withTrain(TrainStage.Outcome value) {
        return new RunRecord(etl, value, evaluation, gate, registered, serverPid, serverUrl, endpointTest, servedRoc, load, monitor);
    }

    RunRecord withEvaluation(EvaluateStage.Outcome value) {
        return new RunRecord(etl, train, value, gate, registered, serverPid, serverUrl, endpointTest, servedRoc, load, monitor);
    }

    RunRecord withGate(GateStage.Outcome value) {
        return new RunRecord(etl, train, evaluation, value, registered, serverPid, serverUrl, endpointTest, servedRoc, load, monitor);
    }

    RunRecord withRegistered(RegisterStage.Outcome value) {
        return new RunRecord(etl, train, evaluation, gate, value, serverPid, serverUrl, endpointTest, servedRoc, load, monitor);
    }

    RunRecord withServer(ModelServerProcess server) {
        return new RunRecord(etl, train, evaluation, gate, registered, server.pid(), server.url().toString(), endpointTest,
                servedRoc, load, monitor);
    }

    RunRecord withEndpoint(EndpointStage.Outcome value) {
        return new RunRecord(etl, train, evaluation, gate, registered, serverPid, serverUrl, value.report(),
                value.servedRoc(), load, monitor);
    }

    RunRecord withLoad(LoadReport value) {
        return new RunRecord(etl, train, evaluation, gate, registered, serverPid, serverUrl, endpointTest, servedRoc, value, monitor);
    }

    RunRecord withMonitor(MonitorStage.Outcome value) {
        return new RunRecord(etl, train, evaluation, gate, registered, serverPid, serverUrl, endpointTest, servedRoc, load, value);
    }

    /** The registered version's file, or null. */
    Path registeredFile() {
        return registered == null ? null : registered.file();
    }

    /** Every number worth keeping, as {@link LocalRunResult#metrics()} documents them. */
    Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (evaluation != null) {
            EvaluateStage.metricsOf(evaluation).forEach((k, v) -> m.put("test:" + k, v));
        }
        if (train != null) {
            m.putAll(train.metrics());
        }
        if (servedRoc != null) {
            m.put("served:auc", servedRoc.auc());
        }
        if (endpointTest != null) {
            if (endpointTest.rocAuc() != null) {
                m.put("endpoint-test:auc", endpointTest.rocAuc());
            }
            m.put("endpoint-test:p50_ms", endpointTest.latencyMillis().p50());
            m.put("endpoint-test:p99_ms", endpointTest.latencyMillis().p99());
        }
        if (load != null) {
            LoadReport.Counts c = load.counts();
            m.put("load:sent", (double) c.sent());
            m.put("load:ok", (double) c.ok());
            m.put("load:errors", (double) c.errors());
            m.put("load:requests_per_s", load.throughput().requestsPerSecond());
            m.put("load:p50_ms", load.latencyMillis().p50());
            m.put("load:p99_ms", load.latencyMillis().p99());
        }
        return m;
    }
}
