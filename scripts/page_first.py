"""The Action's first step, run by the runner's own Python before anything is installed.

    /usr/bin/python3 -I scripts/page_first.py --page-record FILE [--config FILE]

It pages on-call for a report just opened, if the report calls for it, with the package's
standard-library modules (incident_response/shell/page_step.py), and writes the page's record
for the full run (`incident-response handle --paged FILE`). It always exits 0: what it cannot
do is left to the full run. This file is kept to syntax any Python 3 reads, so that an older
interpreter says why it is skipped instead of failing on the package's own syntax.
"""

import sys
from pathlib import Path

# The runner's Python is whatever the image has; the package needs 3.11 (StrEnum, datetime.UTC).
if sys.version_info < (3, 11):  # noqa: UP036
    print("::notice title=incident-response%3A early page skipped::this Python is "
          + ".".join(str(part) for part in sys.version_info[:3])
          + ", older than 3.11; the page, if any, is left to the full run")
    sys.exit(0)

# -I (isolated mode) leaves this script's folder off sys.path: put the package on it.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from incident_response.cli import first_step

sys.exit(first_step())
