"""Signals other apps listen to (wave-2 interface).

``students_named`` is sent with ``school=<School>, students=[Student…], source_obj=<Report|
Concern>`` whenever a report or concern is linked to students (screening uses it for 重点盯防
alerts). It is sent inside the linking transaction, after the rows are written, so a
listener's own writes commit or roll back together with the link.
"""

from django.dispatch import Signal

students_named = Signal()
