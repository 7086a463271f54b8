"""core/record"""
