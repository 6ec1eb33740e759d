"""Seller standing and moderation (seed 004): suspension, flag reviews, rating, deadlines.

Import the submodules themselves: the catalog and the cart depend on `suspension`, while
`moderation` depends on the helpdesk, which depends on them.
"""
