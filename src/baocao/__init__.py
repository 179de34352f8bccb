"""baocao: periodic government reporting over a tree of units."""
