"""Embedding lookup and other functions the recurrent layers share."""

__all__: list[str] = []
