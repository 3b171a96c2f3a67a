"""The records the inventory service returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One stock-keeping unit and how many of it are in stock."""

    sku: str
    name: str
    quantity: int
    updated_at: str
