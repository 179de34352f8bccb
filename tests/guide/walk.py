"""Walking a guide in a real browser: at each step, the page the guide describes must show
every screen text the step quotes (**bold**), and its screenshot is taken.

Screenshots are written into the guide's static folder (src/baocao/guide/static/guide/…,
committed) when BAOCAO_GUIDE_SHOTS=1, otherwise into a temporary folder, so an ordinary
test run leaves the tree unchanged but still checks every step against the real page:
    BAOCAO_GUIDE_SHOTS=1 ./dev test tests/browser/test_guide_kiemke.py tests/browser/test_guide_tuphap.py
"""
import os
import re
from pathlib import Path

from playwright.sync_api import expect

from baocao.guide import content

VIEWPORT = {"width": 1200, "height": 800}
COLOURS = 96  # a palette PNG: readable, and a few dozen kilobytes per screenshot


def visible_text(page, text):
    """Something on the page shows `text` exactly: a button, a link, a label or any element's text."""
    return (
        page.get_by_role("button", name=text, exact=True)
        .or_(page.get_by_role("link", name=text, exact=True))
        .or_(page.get_by_label(text, exact=True))
        .or_(page.get_by_label(re.compile(rf"^{re.escape(text)} \*$")))  # a required field's label ends in *
        .or_(page.get_by_text(text, exact=True))
    ).first


class Walk:
    """Walk one section of a regime's guide; `done()` checks that every step with a screenshot was walked."""

    def __init__(self, regime, section_key, tmp_path):
        self.guide = content.load(regime)
        self.section = self.guide.section(section_key)
        self.steps = {step.shot: step for step in self.section.steps if step.shot}
        self.walked = []
        if os.environ.get("BAOCAO_GUIDE_SHOTS"):
            self.folder = content.STATIC
        else:
            self.folder = Path(tmp_path) / "guide"

    def step(self, page, shot, *, full_page=False):
        """The step whose screenshot is `shot` ("kiemke/dang-nhap.png"): its quoted texts are visible; shoot it."""
        assert shot in self.steps, f"{shot} is not the screenshot of a step of «{self.section.title}»"
        step = self.steps[shot]
        for text in step.quotes:
            expect(visible_text(page, text), f"«{text}» (step «{step.title}») is not on the page").to_be_visible()
        target = self.folder / shot
        target.parent.mkdir(parents=True, exist_ok=True)
        page.mouse.move(0, 0)
        page.screenshot(path=str(target), full_page=full_page, animations="disabled", caret="hide")
        _shrink(target)
        self.walked.append(shot)

    def done(self):
        missing = [shot for shot in self.steps if shot not in self.walked]
        assert not missing, f"steps of «{self.section.title}» not walked: {missing}"


def _shrink(path):
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
