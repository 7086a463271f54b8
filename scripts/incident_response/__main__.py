"""`python -m incident_response` runs the command-line program."""

from incident_response.cli import main

raise SystemExit(main())
