"""core/texts"""
