"""What the three entry points share: logging, and turning errors into a failure file + exit code."""
import logging
import sys
import traceback
from pathlib import Path

from .errors import UserError

log = logging.getLogger("mlcontainer")


def setup_logging():
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def run_job(job, failure_file, what):
    """Run job(); on error write the reason to failure_file and return a non-zero exit code."""
    try:
        job()
        return 0
    except UserError as error:
        reason, code = str(error), 2
    except MemoryError:
        reason, code = f"{what} ran out of memory: use a larger instance type", 1
    except Exception as error:  # anything else is a bug: keep the traceback in the log
        traceback.print_exc()
        reason, code = f"{what} failed unexpectedly: {type(error).__name__}: {error}", 1
    log.error("%s failed: %s", what, reason)
    try:
        Path(failure_file).parent.mkdir(parents=True, exist_ok=True)
        Path(failure_file).write_text(reason + "\n", encoding="utf-8")
    except OSError as error:
        log.error("could not write %s: %s", failure_file, error)
    return code
