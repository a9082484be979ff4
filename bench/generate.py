"""A seeded generator of realistic library data, as CSV sources.

    python -m bench.generate --triples 1000000 --out bench/data/lib-1m

Writes ``organizations.csv``, ``people.csv``, ``positions.csv``,
``concepts.csv``, ``agreements.csv``, ``events.csv`` and ``resources.csv``
whose records reference each other by key the way a university library's
spreadsheets do: Vietnamese names with diacritics, units of universities,
posts with ranks and dates, cooperation agreements, sessions with
presentations, books with contributors, subjects, ISBNs and DDC numbers. The
same seed and size always give the same files. Sizes are approximate (within
a few percent of the asked number of triples once built).
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lâm", "Mai"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Hồng", "Ngọc", "Quốc", "Phi",
          "Thu", "Xuân", "Anh", "Bảo", "Gia", "Kim", "Thùy", "Đình", "Công", "Tiến"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Dương", "Giang", "Hà", "Hải", "Hạnh", "Hiếu",
         "Hoa", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong",
         "Phúc", "Quang", "Quân", "Sơn", "Tâm", "Thanh", "Thảo", "Trung", "Tuấn", "Vy"]
CITIES = ["Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Huế", "Cần Thơ", "Hải Phòng",
          "Nha Trang", "Vinh", "Quy Nhơn", "Đà Lạt"]
FIELDS = ["Kinh tế", "Luật", "Y dược", "Bách khoa", "Sư phạm", "Khoa học Tự nhiên",
          "Công nghệ Thông tin", "Ngoại thương", "Nông Lâm", "Kiến trúc", "Văn hóa"]
UNITS = [
    ("thu-vien", "library", "Thư viện", "Library"),
    ("phong-dao-tao", "department", "Phòng Đào tạo", "Academic Affairs Office"),
    ("khoa-cntt", "department", "Khoa Công nghệ Thông tin", "Faculty of Information Technology"),
    ("phong-hop-tac", "department", "Phòng Hợp tác Quốc tế", "International Cooperation Office"),
]
TOPICS = ["Chuyển đổi số", "Quản trị thư viện", "Tài nguyên số", "Khoa học dữ liệu",
          "Dữ liệu liên kết", "Siêu dữ liệu", "Biên mục", "Thông tin học", "Lưu trữ",
          "Truy cập mở", "Bản quyền", "Trí tuệ nhân tạo", "Giáo dục đại học", "Nghiên cứu khoa học"]
WORDS = ["thư viện", "số", "quản lý", "phát triển", "dữ liệu", "hệ thống", "thông tin",
         "giáo dục", "nghiên cứu", "ứng dụng", "công nghệ", "mô hình", "giải pháp", "tri thức"]
POSTS = [("head", "Head of Department", "Trưởng phòng"), ("deputy-head", "Deputy Head",
         "Phó Trưởng phòng"), ("director", "Director", "Giám đốc"), ("librarian", "Librarian",
         "Thủ thư"), ("lecturer", "Lecturer", "Giảng viên")]
RANKS = [("major", "Major", "Thiếu tá"), ("lieutenant-colonel", "Lieutenant Colonel", "Trung tá"),
         ("colonel", "Colonel", "Đại tá")]
# Triples one record of each kind becomes, on average (measured on the converters).
TRIPLES_PER = {"organization": 6.6, "person": 5.3, "position": 9.2, "agreement": 7.0,
               "event": 10.8, "resource": 42.0}
SHARE = {"organization": 0.01, "person": 0.16, "position": 0.10, "agreement": 0.01,
         "event": 0.04, "resource": 0.68}


def plan(triples: int) -> dict[str, int]:
    """Records per kind for about this many triples."""
    return {kind: max(2, int(triples * SHARE[kind] / TRIPLES_PER[kind])) for kind in SHARE}


def _write(path: Path, header: list[str], rows: Iterator[list[str]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def generate(triples: int, out: Path, seed: int = 42) -> dict[str, int]:
    """Write the sources for about ``triples`` triples; records per file."""
    rng = random.Random(seed)
    counts = plan(triples)
    out.mkdir(parents=True, exist_ok=True)
    # Two at least: an agreement has two parties, and one would name a second that is not there.
    n_uni = max(2, counts["organization"] // (len(UNITS) + 1))
    written = {
        "concepts": _write(out / "concepts.csv", ["key", "scheme", "label_vi", "label_en"],
                           _concepts()),
        "organizations": _write(out / "organizations.csv",
                                ["key", "type", "name_vi", "name_en", "parent"],
                                _organizations(n_uni)),
        "people": _write(out / "people.csv",
                         ["key", "name", "family_name", "given_name", "birth_date"],
                         _people(rng, counts["person"])),
    }
    units = [f"uni-{u}-{code}" for u in range(n_uni) for code, *_ in UNITS]
    written["positions"] = _write(
        out / "positions.csv", ["key", "person", "organization", "role", "rank", "start_date"],
        _positions(rng, counts["position"], counts["person"], units))
    written["agreements"] = _write(
        out / "agreements.csv", ["key", "type", "title_en", "parties", "date_signed"],
        _agreements(rng, counts["agreement"], n_uni))
    written["events"] = _write(
        out / "events.csv", ["key", "type", "name_vi", "part_of", "order", "start_date",
                             "organizers", "speakers", "subjects"],
        _events(rng, counts["event"], counts["person"], units))
    written["resources"] = _write(
        out / "resources.csv", ["key", "type", "title", "language", "contributors", "publisher",
                                "place", "date", "isbn", "ddc", "subjects", "extent"],
        _resources(rng, counts["resource"], counts["person"]))
    return written


def _concepts() -> Iterator[list[str]]:
    for key, en, vi in POSTS:
        yield [key, "posts", vi, en]
    for key, en, vi in RANKS:
        yield [key, "ranks", vi, en]
    for number, topic in enumerate(TOPICS):
        yield [f"topic-{number}", "topics", topic, ""]


def _organizations(n_uni: int) -> Iterator[list[str]]:
    for u in range(n_uni):
        field, city = FIELDS[u % len(FIELDS)], CITIES[(u // len(FIELDS)) % len(CITIES)]
        yield [f"uni-{u}", "university", f"Trường Đại học {field} {city} {u}",
               f"University of {u}", ""]
        for code, kind, vi, en in UNITS:
            yield [f"uni-{u}-{code}", kind, vi, en, f"uni-{u}"]


def _people(rng: random.Random, count: int) -> Iterator[list[str]]:
    for p in range(count):
        family, middle, given = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
        birth = f"{rng.randint(1950, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        yield [f"p{p}", f"{family} {middle} {given}", family, f"{middle} {given}",
               birth if rng.random() < 0.3 else ""]


def _positions(rng: random.Random, count: int, people: int,
               units: list[str]) -> Iterator[list[str]]:
    for m in range(count):
        rank = rng.choice(RANKS)[0] if rng.random() < 0.2 else ""
        start = f"{rng.randint(1995, 2024)}" if rng.random() < 0.5 else \
            f"{rng.randint(1995, 2024)}-{rng.randint(1, 12):02d}-01"
        yield [f"m{m}", f"p{rng.randrange(people)}", rng.choice(units), rng.choice(POSTS)[0],
               rank, start]


def _agreements(rng: random.Random, count: int, n_uni: int) -> Iterator[list[str]]:
    for a in range(count):
        first, second = rng.randrange(n_uni), rng.randrange(n_uni)
        second = (first + 1) % max(2, n_uni) if second == first else second
        yield [f"a{a}", "cooperation", f"Cooperation agreement {a}",
               f"uni-{first}; uni-{second}", f"{rng.randint(2005, 2025)}-{rng.randint(1, 12):02d}"]


def _events(rng: random.Random, count: int, people: int,
            units: list[str]) -> Iterator[list[str]]:
    session = None
    for e in range(count):
        date = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        topics = "; ".join(f"topic-{rng.randrange(len(TOPICS))}" for _ in range(2))
        speakers = "; ".join(f"p{rng.randrange(people)}" for _ in range(rng.randint(1, 3)))
        if session is None or e % 5 == 0:
            session = f"e{e}"
            yield [session, "session", f"Hội thảo {rng.choice(TOPICS).lower()} {e}", "", "",
                   date, rng.choice(units), speakers, topics]
        else:
            yield [f"e{e}", "presentation", " ".join(rng.sample(WORDS, 4)).capitalize(),
                   session, str(e % 5), "", "", speakers, topics]


def _resources(rng: random.Random, count: int, people: int) -> Iterator[list[str]]:
    for r in range(count):
        authors = "; ".join(f"aut=p{rng.randrange(people)}" for _ in range(rng.randint(1, 3)))
        isbn = f"978-604-{rng.randint(0, 99):02d}-{rng.randint(0, 99999):05d}-{rng.randint(0, 9)}"
        yield [f"r{r}", "book", " ".join(rng.sample(WORDS, 5)).capitalize(), "vi", authors,
               f"Nhà xuất bản {rng.choice(FIELDS)}", rng.choice(CITIES),
               str(rng.randint(1990, 2025)), isbn,
               f"{rng.randint(0, 999):03d}.{rng.randint(0, 99)}",
               f"topic-{rng.randrange(len(TOPICS))}", f"{rng.randint(50, 800)} tr."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    written = generate(args.triples, args.out, args.seed)
    print(", ".join(f"{kind} {n:,}" for kind, n in written.items()))


if __name__ == "__main__":
    main()
