"""The apps form layers: no import cycle between apps (docs/adr/0001). An app may import
only apps below it; the lower ones (regimes, audit, access, units, parameters) never import
accounts or anything above them."""
import ast
from pathlib import Path

import baocao

SOURCE = Path(baocao.__file__).parent
# Lowest first. access decides permissions on the objects it is given and imports no app but regimes. Each app may import the apps before it in this list, never after.
LAYERS = ["regimes", "access", "audit", "jobs", "units", "parameters", "accounts", "mfa", "formdefs", "reports", "exchange", "rollup", "reorg", "support", "shell", "guide"]
OUTSIDE = {"settings", "urls", "wsgi", "__main__", "formats", "locale", "templates", "static"}


def app_imports():
    """{app: {app it imports: [file:line, …]}} over every module, imports inside functions included."""
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).parts
        if len(parts) < 2 or parts[0] in OUTSIDE or "migrations" in parts:
            continue
        app = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("baocao"):
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names] if node.module == "baocao" else [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("baocao.")]
            for name in names:
                target = name.split(".")[1] if "." in name else None
                if target and target != app and target in LAYERS:
                    found.setdefault(app, {}).setdefault(target, []).append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    return found


def test_every_app_has_a_layer():
    apps = {p.name for p in SOURCE.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name not in OUTSIDE}
    assert apps <= set(LAYERS), apps - set(LAYERS)


def test_apps_import_only_the_layers_below_them():
    upward = [
        f"{app} imports {target} ({', '.join(places[:3])})"
        for app, targets in app_imports().items()
        for target, places in targets.items()
        if LAYERS.index(target) > LAYERS.index(app)
    ]
    assert not upward, "\n".join(upward)
