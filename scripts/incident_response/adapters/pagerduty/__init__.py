"""adapters/pagerduty"""
