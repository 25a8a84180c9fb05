"""Validated records made to share what they hold twice: their text, and their set fields' names."""

from __future__ import annotations

from typing import Any, NoReturn, cast

from pydantic import BaseModel

# Two copies made by validation held a third of a loaded knowledge base (10,000 claims: 48 of
# 132 MiB). Records strip their strings (str_strip_whitespace), so pydantic returns a copy of
# every string it validates, even with nothing to strip, while the parsed mappings that locate
# problems keep the original: each string equal to the one it came from is swapped for that one.
# And every model keeps the names of its fields that were set in a set of its own (216 or 728
# bytes): models with the same names set share one read-only set.
# Short strings go the other way: pydantic-core returns one cached object for equal strings of
# fewer than CACHED characters (IDs above all, each written wherever it is referred to), so the
# parsed mapping takes the record's, and the pickles of the state and the export memo write it
# once. Its cache is a table of fixed size, so a string pushed out comes back as a new object;
# with another pydantic those are merely not shared.
CACHED = 64


class FieldNames(set[str]):
    """The names of a model's fields that were set, shared by the models set alike; read-only."""

    __slots__ = ()

    def __copy__(self) -> set[str]:
        # A model's copy (model_copy) gets a set of its own, which it may change.
        return set(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> set[str]:
        return set(self)

    def add(self, name: str) -> None:
        """Refuse a name not already set: it would be set on every model sharing the set."""
        if name not in self:
            _read_only()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        _read_only()

    update = discard = remove = pop = clear = _refuse
    intersection_update = difference_update = symmetric_difference_update = _refuse
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse


def _read_only() -> NoReturn:
    raise TypeError(
        "a loaded record is read-only: make a changed copy with model_copy(update={...})"
    )


class Sharer:
    """Shares one loader's validated records' strings with their parsed text, and their names."""

    def __init__(self) -> None:
        # By model class: its field names by the keys written for them (aliases), and the
        # fields that hold a model of their own, which may be a default with nothing parsed.
        self.shapes: dict[type[BaseModel], tuple[dict[str, str], list[str]]] = {}
        self.names: dict[frozenset[str], FieldNames] = {}

    def share(self, model: BaseModel, raw: Any) -> None:
        """Make model (and its models) and raw hold one object per equal string; share names."""
        fields = model.__dict__
        aliases, nested = self.shapes.get(type(model)) or self._shape(type(model))
        if isinstance(raw, dict):
            for written, source in cast("dict[str, Any]", raw).items():
                field = aliases.get(written, written)
                value: Any = fields.get(field)
                if type(source) is str:
                    if value == source and type(value) is str:
                        if len(value) < CACHED:
                            raw[written] = value
                        else:
                            fields[field] = source
                elif type(value) is list:
                    self._share_items(value, source)
                elif isinstance(value, BaseModel):
                    self.share(value, source)
        for name in nested:
            value = fields[name]
            if isinstance(value, BaseModel) and type(value.__pydantic_fields_set__) is set:
                self.share(value, None)
        self.share_names(model)

    def share_names(self, model: BaseModel) -> None:
        """Give model the one read-only set of the models with the same fields set."""
        names = model.__pydantic_fields_set__
        if type(names) is set:
            key = frozenset(names)
            shared = self.names.get(key)
            if shared is None:
                shared = self.names[key] = FieldNames(key)
            object.__setattr__(model, "__pydantic_fields_set__", shared)

    def _shape(self, model: type[BaseModel]) -> tuple[dict[str, str], list[str]]:
        """Return (and note) a model class's aliases and its fields that hold a model."""
        fields = model.model_fields
        aliases = {f.alias: name for name, f in fields.items() if f.alias is not None}
        nested = [
            name
            for name, f in fields.items()
            if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)
        ]
        shape = self.shapes[model] = (aliases, nested)
        return shape

    def _share_items(self, values: list[Any], source: Any) -> None:
        """Share a validated list's strings with the parsed list (or lone value) it came from."""
        if not isinstance(source, list):
            source = [source]  # a lone mapping written for a one-item list of models
        if len(source) != len(values):
            return
        for i, item in enumerate(values):
            parsed = source[i]
            if type(item) is str:
                if type(parsed) is str and parsed == item:
                    if len(item) < CACHED:
                        source[i] = item
                    else:
                        values[i] = parsed
            elif isinstance(item, BaseModel):
                self.share(item, parsed)
