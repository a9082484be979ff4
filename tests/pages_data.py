"""Small stores for the page tests: the demo with a dropped entity, hostile labels,
and an entity referred to by many others (so backlinks are paged)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import build_store
from tests.support import DEMO

HOSTILE_NAME = '<script>alert("x")</script> Nguyễn </title><b>bold</b>'


def store_with_dropped_resource(root: Path) -> Path:
    """The demo published twice, the second time without resources.yaml (410 Gone)."""
    demo = root / "demo"
    shutil.copytree(DEMO, demo)
    store = build_store(root / "store", demo)
    (demo / "resources.yaml").unlink()
    return build_store(store, demo)


def store_with_hostile_labels(root: Path) -> Path:
    """People and an organization whose names contain markup and script."""
    sources = root / "hostile"
    sources.mkdir()
    (sources / "people.csv").write_text(
        "key,name,alt_name\n"
        f"evil,\"{HOSTILE_NAME.replace(chr(34), chr(34) * 2)}\",&amp; ' \"\n", encoding="utf-8")
    (sources / "organizations.csv").write_text(
        "key,name_en,name_vi\nacme,<img src=x onerror=alert(1)>,Đại học <i>Acme</i>\n",
        encoding="utf-8")
    (sources / "positions.csv").write_text(
        "key,person,organization\nevil-acme,evil,acme\n", encoding="utf-8")
    return build_store(root / "store", sources)


def store_with_many_referrers(root: Path, count: int) -> Path:
    """A concept that ``count`` resources have as subject, dated events, agreements."""
    sources = root / "many"
    sources.mkdir()
    (sources / "concepts.yaml").write_text(
        "concepts:\n  - {key: popular, label_en: Popular topic, label_vi: Chủ đề phổ biến}\n",
        encoding="utf-8")
    rows = ["key,type,title,language,subjects,date,isbn,ddc,licence"]
    rows += [f"book-{n:04d},book,Sách số {n:04d},vi,popular,{2000 + n % 20},"
             f"978-0-00-{n:06d}-0,025.{n % 10},https://creativecommons.org/licenses/by/4.0/"
             for n in range(count)]
    (sources / "resources.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (sources / "organizations.csv").write_text(
        "key,name_en,name_vi,parent\nuni-a,University A,Đại học A,\n"
        "uni-b,University B,Đại học B,\nuni-c,University C,Đại học C,\n"
        "lib-a,Library of A,Thư viện A,uni-a\n", encoding="utf-8")
    (sources / "agreements.csv").write_text(
        "key,type,title_en,parties,date_signed,valid_from,valid_until\n"
        "ab,mou,MoU of A and B,uni-a;uni-b,2019-03-01,2019-03-01,2021-03-01\n"
        "ac,cooperation,Cooperation of A and C,uni-a;uni-c,2023-05,2023-06-01,2099-12-31\n",
        encoding="utf-8")
    (sources / "events.csv").write_text(
        "key,type,name_en,start_date,part_of,order,organizers\n"
        "conf,conference,Annual conference,2022-10-05,,,uni-a\n"
        "talk-2,presentation,Second talk,2022-10-05T14:30,conf,2,\n"
        "talk-1,presentation,First talk,2022-10-05T09:00,conf,1,\n"
        "older,meeting,Older meeting,2018-01,,,uni-b\n", encoding="utf-8")
    return build_store(root / "store", sources)
