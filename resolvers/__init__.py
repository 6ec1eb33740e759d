"""Every decision: who may do it, which transitions are allowed, stock and SLA arithmetic.

Plain async functions taking an Actor and plain values; no GraphQL here.
"""
