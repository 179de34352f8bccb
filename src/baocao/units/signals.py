"""What the tree tells the apps above it, which keep copies of unit names (the accounts'
search text): sent inside the transaction that made the change."""
from django.dispatch import Signal

# Sent with unit_ids: the units whose name or code changed.
units_renamed = Signal()
