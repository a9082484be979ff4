"""Problems found in sources, said in words a librarian can act on.

>>> from kg.sources import Origin
>>> str(Problem("'birth_date' must be a date like 1980-05-31, got '31/5/80'",
...             Origin("people.csv", "row 7"), key="nguyen-van-a", field="birth_date"))
"people.csv row 7 (nguyen-van-a): 'birth_date' must be a date like 1980-05-31, got '31/5/80'"
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kg.sources import Origin


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful, for warnings) in a source."""

    message: str
    origin: Origin | None = None
    key: str | None = None
    field: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = str(self.origin) if self.origin else ""
        if self.key:
            where = f"{where} ({self.key})" if where else f"({self.key})"
        return f"{where}: {self.message}" if where else self.message

    def sort_key(self) -> tuple:
        """Order problems by file, then position in the file."""
        origin = self.origin or Origin("")
        # The first number is the row, line or record ("record 12 (001 00000002)").
        number = re.search(r"\d+", origin.location)
        return (origin.file, int(number.group()) if number else 0, self.field or "",
                self.message)


@dataclass
class Report:
    """The outcome of reading, converting and validating sources."""

    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop a publish."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth reading that do not stop a publish."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def conforms(self) -> bool:
        """True when nothing stops a publish."""
        return not self.errors

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        """Record several problems."""
        self.problems.extend(problems)

    def lines(self) -> list[str]:
        """The problems as sorted, de-duplicated lines of text."""
        seen: dict[str, None] = {}
        for problem in sorted(self.problems, key=Problem.sort_key):
            prefix = "" if problem.severity == "error" else f"{problem.severity}: "
            seen.setdefault(prefix + str(problem), None)
        return list(seen)

    def by_file(self) -> Counter:
        """How many errors each file has."""
        return Counter(p.origin.file if p.origin else "" for p in self.errors)
