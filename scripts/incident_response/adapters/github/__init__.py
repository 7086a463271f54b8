"""adapters/github"""
