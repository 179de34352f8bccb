"""The regime fixtures (tuphap, kiemke, notary_report) live in tests/conftest.py."""
