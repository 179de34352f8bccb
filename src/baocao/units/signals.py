"""What the tree tells the apps above it, which keep copies of unit names (the accounts'
search text): sent inside the transaction that made the change."""
from django.dispatch import Signal

# Sent with unit_ids: the units whose name or code changed.
units_renamed = Signal()

# Sent with unit_id, old_ancestor_ids, new_ancestor_ids: a unit and its subtree moved
# (ancestor ids exclude the unit itself).
unit_moved = Signal()

# Sent with unit_ids and the Reorganisation: these units were retired (giải thể, sáp nhập).
units_retired = Signal()

# Sent with unit_ids: new units (the reports app gives them their obligations in open periods).
units_created = Signal()
