"""A line read by difference (``loading._LineTemplate``) is remembered with its value only when
the value is immutable: an empty flow collection written on a changed line is built afresh for
each document, so that changing one document's data never changes another's."""

from __future__ import annotations

from submission_checker import loading

from .test_yaml_templates import BASE


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
