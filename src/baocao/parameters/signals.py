"""What THIẾT LẬP THÔNG SỐ tells the apps above it: sent inside the transaction that made
the change, so what they derive from it (the reports' deadlines) changes with it."""
from django.dispatch import Signal

# Sent (sender=Holiday) after a holiday was added to or removed from the calendar.
holidays_changed = Signal()
