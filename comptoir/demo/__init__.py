"""Demo data: accounts to log in with and a believable French catalog."""

from comptoir.demo.seed import seed_demo

__all__ = ["seed_demo"]
