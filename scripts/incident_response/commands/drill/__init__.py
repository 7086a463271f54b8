"""`incident-response drill`: a tabletop exercise of the whole lifecycle, offline.

It runs the same code as a real incident (decide, the record, the executor) against in-memory
stand-ins of GitHub, Datadog, Slack and PagerDuty that write down every call.
"""
