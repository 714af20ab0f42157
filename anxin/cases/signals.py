"""Signals other apps listen to (wave-2 interfaces). Sent after the transaction commits."""

from django.dispatch import Signal

# After a determination finds bullying: case=<BullyingCase>, bullies=[Student…], victims=[Student…]
bullying_confirmed = Signal()
# Whenever a student becomes a party of a case: case=, student=, role=
case_party_added = Signal()
