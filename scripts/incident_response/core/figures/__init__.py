"""core/figures"""
