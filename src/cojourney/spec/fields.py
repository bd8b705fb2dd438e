"""Walking the model classes: which fields a place in a document allows."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel


def _unwrap(annotation: Any) -> Any:
    """The model class inside ``list[X]``, ``X | None`` or ``Annotated[X, ...]`` (else the input)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated or origin in (list, tuple, set):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def field_names(model: type[BaseModel]) -> list[str]:
    """The keys a mapping of ``model`` may hold (aliases where a field has one)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that the mapping at ``path`` inside a ``model`` document must match."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        match = next(
            (info for name, info in current.model_fields.items() if part in (name, info.alias)),
            None,
        )
        if match is None:
            return None
        current = _unwrap(match.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def suggestion(word: str, choices: list[str]) -> str | None:
    """'did you mean …' for a misspelt key, or None."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def item_model(collection_annotation: Any) -> type[BaseModel]:
    inner = _unwrap(collection_annotation)
    assert isinstance(inner, type) and issubclass(inner, BaseModel)
    return inner
