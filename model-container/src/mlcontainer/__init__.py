"""SageMaker bring-your-own-container model: train, serve and evaluate a tabular binary classifier."""
import os

# OpenMP threads (scikit-learn's histogram gradient boosting) sleep instead of spinning while
# they wait: with spinning, a CPU shared with other processes (CodeBuild, a laptop, CI) made a
# 1.5 s fit take 57 s. Must be set before libgomp loads, i.e. before sklearn is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
