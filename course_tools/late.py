"""The late-submission policy: deadlines, collection times, penalties.

Timestamps come from the collection, never from the submission: a CSV
``student_id,assignment,collected_at`` (ISO 8601, e.g.
``2026-03-01T23:59:00+00:00``) written by whatever collected the work
(default: ``SUBMISSIONS/collection.csv``, a file outside every student's
folder). A ``timestamp.txt`` a student put in their folder is ignored.

Policies, for a submission collected after its assignment's deadline:

- ``accept``: no penalty (the lateness is still reported);
- ``zero``: the score becomes 0;
- ``penalty``: the score is multiplied by ``1 - rate * days`` (days late,
  rounded up, floored at 0).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

POLICIES = ("accept", "zero", "penalty")


def parse_time(text: str, what: str) -> datetime:
    """An aware datetime from ISO 8601 text (UTC when no offset is given)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} must be an ISO 8601 time such as "
                         f"2026-03-01T23:59:00+00:00; got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@dataclass
class LatePolicy:
    """Deadlines per assignment and what happens after them."""

    deadlines: dict = field(default_factory=dict)  # assignment -> datetime
    policy: str = "accept"
    rate: float = 0.1

    def __post_init__(self):
        if self.policy not in POLICIES:
            raise ValueError(f"late policy must be one of {POLICIES}; got "
                             f"{self.policy!r}")
        if not 0 <= self.rate <= 1:
            raise ValueError(f"late penalty rate must be in [0, 1]; got "
                             f"{self.rate!r}")

    def apply(self, assignment: str, collected: datetime | None,
              score: float) -> tuple[float, str]:
        """(score after the policy, a note for the reason column)."""
        deadline = self.deadlines.get(assignment)
        if deadline is None:
            return score, ""
        if collected is None:
            return score, "no collection time: lateness not checked"
        late = (collected - deadline).total_seconds()
        if late <= 0:
            return score, ""
        days = math.ceil(late / 86400)
        note = f"late by {late / 3600:.1f} h"
        if self.policy == "zero":
            return 0.0, note + " (late policy: zero)"
        if self.policy == "penalty":
            factor = max(0.0, 1.0 - self.rate * days)
            return score * factor, note + f" (penalty: x{factor:g})"
        return score, note + " (accepted)"


def load_collection(path: Path) -> dict[tuple[str, str], datetime]:
    """(student_id, assignment) -> collection time, from a CSV file."""
    out = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        need = {"student_id", "assignment", "collected_at"}
        if not need <= set(reader.fieldnames or []):
            raise ValueError(f"{path} must have the columns {sorted(need)}; "
                             f"got {reader.fieldnames}")
        for row in reader:
            out[(row["student_id"], row["assignment"])] = parse_time(
                row["collected_at"], f"{path}: collected_at")
    return out
