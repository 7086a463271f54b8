"""adapters/datadog"""
