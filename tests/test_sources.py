"""Reading sources: CSV, YAML and JSON records with their positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import SourceError, SourceSyntaxError
from kg.sources import discover, read_records


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def records(path: Path) -> list:
    return list(read_records(discover([path])[0]))


def test_csv_rows_are_numbered_as_in_a_spreadsheet(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv",
                 '\ufeffkey,name,notes\n'
                 'a,Nguyễn Văn A,"two\nlines"\n'
                 '\n'
                 'b,Trần Thị B,\n')
    found = records(path)
    assert [r.origin.location for r in found] == ["row 2", "row 5"]
    assert found[0].fields == {"key": "a", "name": "Nguyễn Văn A", "notes": "two\nlines"}
    assert "notes" not in found[1].fields  # empty cells are absent
    assert found[0].kind == "person"


def test_csv_kind_comes_from_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "partners-organizations.csv", "key,name_en\nx,X\n")
    assert records(path)[0].kind == "organization"
    unknown = write(tmp_path, "misc.csv", "key\nx\n")
    with pytest.raises(SourceSyntaxError, match="name it after the kind"):
        records(unknown)


def test_csv_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", b"key,name\na,ok\nb,Nguy\xea\xf1\n")
    with pytest.raises(SourceSyntaxError) as caught:
        records(path)
    assert caught.value.location == "line 3"
    assert "UTF-8" in caught.value.detail


def test_csv_row_with_too_many_cells_is_a_record_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "key,name\na,A,extra\n")
    (record,) = records(path)
    assert record.problem and "2 fields" in record.problem


def test_yaml_records_keep_text_and_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "demo.yaml",
                 "people:\n"
                 "  - key: a\n"
                 "    name: Nguyen Van A\n"
                 "    given_name: 007\n"
                 "organizations:\n"
                 "  - key: x\n"
                 "    name: {vi: Trường X, en: X School}\n")
    person, org = records(path)
    assert person.origin.location == "line 2"
    assert person.fields["given_name"] == "007"  # BaseLoader: no number guessing
    assert org.kind == "organization"
    assert org.fields == {"key": "x", "name_vi": "Trường X", "name_en": "X School"}


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "people.yaml", "people:\n  - key: a\n   name: [unclosed\n")
    with pytest.raises(SourceSyntaxError) as caught:
        records(path)
    assert caught.value.location.startswith("line ")


def test_json_list_named_after_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "events.json", '[{"key": "e1", "name_en": "Talk"}]')
    (event,) = records(path)
    assert event.kind == "event"
    assert event.origin.location == "events record 1"


def test_discover_walks_folders_and_names_graphs(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", "key,name\n")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "data.ttl", "")
    write(tmp_path, "notes.md", "ignored")
    names = sorted(s.name for s in discover([tmp_path]))
    assert names == ["people-csv", "sub-data-ttl"]


def test_discover_reports_missing_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        discover([tmp_path / "nope.csv"])
    with pytest.raises(SourceError, match="unknown kind of file"):
        discover([write(tmp_path, "x.docx", "")])
