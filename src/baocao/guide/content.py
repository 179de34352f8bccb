"""The user guides (Hướng dẫn sử dụng / Tài liệu hướng dẫn sử dụng), kept as Markdown in
`content/<regime>/`: `guide.yaml` lists the sections, whom each is for (the regime's role
codes) and its file.

Conventions the tests rely on (tests/guide, tests/browser/test_guide_*.py):
- a step is a `### ` heading and what follows it, with at most one screenshot
  `![…](<regime>/<name>.png)`, a file of `static/guide/<regime>/`;
- **bold** is reserved for texts shown on the screen (buttons, links, labels, menus, titles):
  each must be visible on the page of the step's screenshot; `code` is what the user types.

Markdown is rendered with raw HTML disabled (escaped), links checked by markdown-it's
validator (no javascript:), and images limited to the guide's own screenshots.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

CONTENT = Path(__file__).resolve().parent / "content"
STATIC = Path(__file__).resolve().parent / "static" / "guide"
SHOT = re.compile(r"^(kiemke|tuphap)/[a-z0-9-]+\.png$")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
QUOTE = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Step:
    title: str
    source: str
    shot: str = ""  # "<regime>/<name>.png" or ""
    quotes: tuple = ()  # the screen texts it names, in order, without repeats


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    roles: tuple
    source: str
    steps: tuple = ()
    html: str = ""


@dataclass(frozen=True)
class Guide:
    regime: str
    title: str
    intro_html: str
    sections: tuple = field(default_factory=tuple)

    def ordered_for(self, roles):
        """The sections, those for one of `roles` first (in the order of `roles`), then the rest."""
        roles = tuple(roles)

        def rank(section):
            hits = [roles.index(r) for r in section.roles if r in roles]
            return (0, min(hits)) if hits else (1, 0)

        return sorted(self.sections, key=rank)

    def section(self, key):
        return next(s for s in self.sections if s.key == key)

    @property
    def steps(self):
        return [step for section in self.sections for step in section.steps]


def _markdown():
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    default_image = md.renderer.rules.get("image")

    def image(self, tokens, idx, options, env):  # markdown-it passes the renderer first
        token = tokens[idx]
        src = token.attrGet("src") or ""
        if not SHOT.match(src) or not (STATIC / src).is_file():
            return ""  # only the guide's own screenshots, once a browser test has taken them
        token.attrSet("src", static(f"guide/{src}"))
        token.attrSet("class", "img-fluid border rounded shadow-sm bc-guide-shot")
        token.attrSet("loading", "lazy")
        token.attrSet("width", "1200")
        token.attrSet("height", "800")
        return default_image(tokens, idx, options, env)

    md.add_render_rule("image", image)
    return md


def render(source):
    """Safe HTML of a Markdown text (raw HTML escaped)."""
    return mark_safe(_markdown().render(source))  # noqa: S308 - markdown-it escapes raw HTML (html=False)


def split_steps(source):
    """The `### ` steps of a section's Markdown."""
    steps = []
    chunks = re.split(r"(?m)^### ", source)
    for chunk in chunks[1:]:
        title, _, body = chunk.partition("\n")
        shots = IMAGE.findall(body)
        quotes = tuple(dict.fromkeys(q.strip() for q in QUOTE.findall(title + "\n" + body)))
        steps.append(Step(title=title.strip(), source=body, shot=shots[0] if shots else "", quotes=quotes))
    return tuple(steps)


@lru_cache(maxsize=4)
def load(regime_key):
    folder = CONTENT / regime_key
    manifest = yaml.safe_load((folder / "guide.yaml").read_text(encoding="utf-8"))
    sections = []
    for entry in manifest["sections"]:
        source = (folder / entry["file"]).read_text(encoding="utf-8")
        sections.append(Section(key=entry["key"], title=entry["title"], roles=tuple(entry.get("roles") or ()), source=source,
                                steps=split_steps(source), html=render(source)))
    intro = (folder / manifest["intro"]).read_text(encoding="utf-8") if manifest.get("intro") else ""
    return Guide(regime=regime_key, title=manifest["title"], intro_html=render(intro), sections=tuple(sections))
