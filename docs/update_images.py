"""Copy the browser journeys' screenshots into docs/images/, small enough to commit.

The journeys (tests/browser, tests/*/browser) end with a screenshot in
artifacts/screenshots/. This script keeps the ones the guide shows, cut to at most
1,600 pixels high, scaled to at most 1,000 pixels wide and reduced to a 256-colour
palette (a few dozen kilobytes each). Run it after the browser tests:

    .venv/bin/python -m pytest tests/browser tests/activities/browser tests/charters -m browser
    .venv/bin/python docs/update_images.py
"""

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "artifacts" / "screenshots"
TARGET = ROOT / "docs" / "images"
MAX_WIDTH = 1000
MAX_HEIGHT = 1400

# The screenshots the guide (docs/guide.md) shows.
GUIDE_IMAGES = (
    "directory.png",
    "charter-text.png",
    "charter-sign-form.png",
    "charter-signature.png",
    "journey-2-application.png",
    "journey-3-copil-approves.png",
    "election-vote-phone.png",
    "election-voted-by-proxy.png",
    "referent-contact.png",
    "journey-4-checkin-phone.png",
    "journey-4-member-ratio.png",
    "privacy-my-data.png",
    "copil-audit-trail.png",
)


def shrink(source: Path, target: Path) -> None:
    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.height > MAX_HEIGHT * image.width / MAX_WIDTH:
            image = image.crop((0, 0, image.width, int(MAX_HEIGHT * image.width / MAX_WIDTH)))
        if image.width > MAX_WIDTH:
            height = round(image.height * MAX_WIDTH / image.width)
            image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
        image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        image.save(target, optimize=True)


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = []
    for name in GUIDE_IMAGES:
        source = SOURCE / name
        if not source.exists():
            missing.append(name)
            continue
        shrink(source, TARGET / name)
        print(f"{name}: {(TARGET / name).stat().st_size // 1024} kB")  # noqa: T201
    if missing:
        print("not produced by the journeys yet:", ", ".join(missing))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
