"""What the risk engine tells other apps when students' levels change (R-SCR-4 动态更新).

``levels_changed`` is sent once per recompute chunk, after its rows are written, with
``changes``: a list of ``(student_id, level, previous_level)`` (previous "" for a student never
assessed before). Care hears it to propose a care plan and tell its owner (risk → action).
"""

from __future__ import annotations

from django.dispatch import Signal

levels_changed = Signal()


def send(assessments) -> None:
    changes = [(a.student_id, a.level, a.previous_level) for a in assessments if a.level != a.previous_level]
    if changes:
        levels_changed.send(sender=None, changes=changes)
