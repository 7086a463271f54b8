"""core/decision"""
