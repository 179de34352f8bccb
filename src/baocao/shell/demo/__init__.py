"""Demo data, one module per regime (`kiemke.py`, `tuphap.py`), each giving:

- `TREE`: the unit catalogue, as (code, name, parent code, kind, unit types) rows;
- `PERIODS`: the periods to create and open ({kind, year, days_left or None});
- `EXAMPLES`: the usernames `load_demo` prints;
- `populate(stdout)`: what else the demo holds (reports in every state…), idempotent.

`load_demo` loads the regime's forms and unit types, imports `TREE`, creates the accounts,
opens `PERIODS`, then calls `populate`.
"""
from importlib import import_module


def for_regime(key):
    return import_module(f"{__name__}.{key}")
