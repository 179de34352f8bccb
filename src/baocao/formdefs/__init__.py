"""Form definitions (biểu mẫu): versioned, declarative forms loaded from regime packages.

A form is data: one YAML file per form in `regimes/<key>/forms/`, checked on load
(`schema.py`), stored as a `FormDefinition` version (`models.py`), and used at run
time through its spec (`spec.py`): grid forms compute and check cells, list forms
validate records and summarise them into a grid. Formulas and rules are parsed by
`formula.py` and also run in the browser (`static/formdefs/formula.js`).
See docs/forms.md.
"""
