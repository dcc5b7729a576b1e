"""A line read by difference (``loading._LineTemplate``) is remembered with its value only when
the value is immutable: an empty flow collection written on a changed line is built afresh for
each document, so that changing one document's data never changes another's."""

from __future__ import annotations

from submission_checker import loading

from .test_yaml_reference import reference
from .test_yaml_templates import BASE, ordered


def test_a_changed_empty_collection_is_each_documents_own() -> None:
    text = BASE.replace("streaming: 'on'", "streaming: {}").replace("version: '1.0'", "version: []")
    loading.parse_yaml(BASE)  # the template of this shape
    first = loading.parse_yaml(text)
    second = loading.parse_yaml(text)
    assert first["streaming"] == {} and first["version"] == []
    first["streaming"]["x"] = 1
    first["version"].append(2)
    assert second["streaming"] == {} and second["version"] == []
    assert loading.parse_yaml(text)["streaming"] == {}


def test_a_changed_value_line_reads_as_the_full_read() -> None:
    """Lines met again on later documents (remembered) give the value read the first time."""
    loading.parse_yaml(BASE)
    for _ in range(3):
        data = loading.parse_yaml(BASE.replace("region: med_concurrency", "region: 0x1F"))
        assert data["region"] == 31
        data = loading.parse_yaml(BASE.replace("region: med_concurrency", "region: '0x1F'"))
        assert data["region"] == "0x1F"


def test_shapes_of_one_line_count_read_in_turns_are_read_by_difference(monkeypatch) -> None:
    """Two kinds of file with as many lines (the config.yaml of two models), read curve by
    curve: after the first of each, every one is read by difference from its own kind's."""
    lines = BASE.split("\n")
    other = "\n".join(f"other_{line}" if line[:1].isalpha() else line for line in lines)
    loading._TEMPLATES.pop(len(lines), None)
    loading.parse_yaml(BASE)
    loading.parse_yaml(other)  # read in full: two templates of this line count now
    assert len(loading._TEMPLATES[len(lines)]) == 2
    texts = [
        text.replace("concurrency: 96", f"concurrency: {turn}")
        for turn in range(3)
        for text in (BASE, other)
    ]
    expected = [ordered(reference(text)[1]) for text in texts]

    def full_read(*args):
        raise AssertionError("read in full, expected by difference")

    monkeypatch.setattr(loading, "_line_mapping", full_read)
    assert [ordered(loading.parse_yaml(text)) for text in texts] == expected
