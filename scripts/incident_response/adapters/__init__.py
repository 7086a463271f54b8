"""One module per outside service, each behind a port of `incident_response.adapters.ports`.

Vendor SDKs are imported inside these modules only, and these modules are imported only when a
run needs them, so an event that is not about an incident never pays for the SDKs.
"""
