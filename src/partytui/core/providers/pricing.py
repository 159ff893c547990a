"""What a turn cost: the price table (``prices.json``, dated and sourced) and the arithmetic.

An unknown model has no price (``None``), shown as "?" — never as $0, which would look like a free run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..truth.events import Usage

PER_TOKENS = 1_000_000


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    cache_write: float
    cache_read: float
    output: float


def _load() -> tuple[str, str, dict[str, Price]]:
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath("prices.json").read_text("utf-8"))
    table = {model: Price(**fields) for model, fields in data["models"].items()}
    return data["as_of"], data["source"], table


PRICES_AS_OF, PRICES_SOURCE, PRICES = _load()

# Provider spellings of one model: `anthropic.` (Bedrock) prefix, `-v1:0` version, `@20250929` (Vertex)
# or `-20250929` date, `-latest`.
_PREFIX = re.compile(r"^(?:[a-z]{2}\.)?anthropic\.")
_SUFFIXES = re.compile(r"(?:-v\d+(?::\d+)?|[-@]\d{8}|-latest)+$")


def price_for(model: str) -> Price | None:
    """The price of a model id, also when it carries a date or provider decoration."""
    if not model:
        return None
    model = model.strip().lower()
    if model in PRICES:
        return PRICES[model]
    family = _SUFFIXES.sub("", _PREFIX.sub("", model))
    return PRICES.get(family)


def cost_usd(model: str, usage: Usage) -> float | None:
    price = price_for(model)
    if price is None:
        return None
    total = (
        usage.input_tokens * price.input
        + usage.cache_creation_input_tokens * price.cache_write
        + usage.cache_read_input_tokens * price.cache_read
        + usage.output_tokens * price.output
    )
    return total / PER_TOKENS
