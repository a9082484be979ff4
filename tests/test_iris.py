"""Keys, folding and IRIs."""

from __future__ import annotations

import pytest

from kg.errors import UsageError
from kg.iris import Minter, fold, is_key, slugify


@pytest.mark.parametrize("name, key", [
    ("Trịnh Phi Cường", "trinh-phi-cuong"),
    ("Trường Đại học Tôn Đức Thắng", "truong-dai-hoc-ton-duc-thang"),
    ("Huỳnh Thị Đàm Thanh", "huynh-thi-dam-thanh"),
    ("People's Police University", "people-s-police-university"),
    ("  D&L Technology   Consulting ", "d-l-technology-consulting"),
])
def test_slugify_transliterates_vietnamese(name: str, key: str) -> None:
    assert slugify(name) == key
    assert is_key(key)


@pytest.mark.parametrize("text, folded", [
    ("Cường", "cuong"), ("ĐẠI HỌC", "dai hoc"), ("Nguyễn  Thị", "nguyen thi")])
def test_fold_ignores_case_and_diacritics(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("bad", ["Nguyen Van A", "a--b", "-a", "ä", ""])
def test_is_key_rejects_non_slugs(bad: str) -> None:
    assert not is_key(bad)


def test_minter_round_trip() -> None:
    minter = Minter("https://kg.example.org/lib/")
    iri = minter.entity("event", "session-1", "participation-2")
    ref = minter.parse(iri.value)
    assert (ref.kind, ref.key, ref.fragment) == ("event", "session-1", "participation-2")
    assert minter.parse("https://elsewhere.org/id/event/x") is None
    assert minter.graph("people-csv").value == "https://kg.example.org/lib/graph/people-csv"


@pytest.mark.parametrize("base", ["https://kg.example.org", "ftp://x/", "not an iri/"])
def test_minter_rejects_bad_base(base: str) -> None:
    with pytest.raises(UsageError):
        Minter(base)
