"""The one way govsim parses YAML: PyYAML's safe loader, except that a key given twice in the
same mapping is an error (PyYAML silently keeps the last one, so a typo'd copy of a key would
quietly override the intended value). ``sim.scenario.read_yaml`` turns the error into one message
naming the file, the line and the key."""

from __future__ import annotations

from typing import Any

import yaml


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping has the same key twice; `key` is the key, the marks point at both."""

    def __init__(self, key: Any, first: yaml.Mark, second: yaml.Mark) -> None:
        super().__init__(
            problem=f"key {key!r} appears twice in the same mapping (first on line "
            f"{first.line + 1}, again on line {second.line + 1}); give each key once",
            problem_mark=second,
        )
        self.key = key


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        self.flatten_mapping(node)  # merge keys (<<) are resolved first, as SafeLoader does
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: SafeLoader reports it below
                continue
            if first is not None:
                raise DuplicateKeyError(key, first, key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> Any:
    """Parse YAML text safely; a duplicate key raises `DuplicateKeyError` (a `yaml.YAMLError`)."""
    return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 — a SafeLoader subclass
