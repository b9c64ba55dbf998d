"""The bottom layer: domain errors and the one-line rule, text helpers, dates, URL patterns, settings, where
things live in a checkout.
"""
