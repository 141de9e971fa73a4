"""Counting words for messages: '1 epoch', '2 epochs' (never '1 epochs')."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, in the plural (`many`, default noun + 's') unless count is 1."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"
