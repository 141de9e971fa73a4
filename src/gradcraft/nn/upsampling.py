"""Upsampling layers: Upsample."""

__all__: list[str] = []
