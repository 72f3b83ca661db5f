"""Draws the portal's site card and icons into static/ (run once; the files are committed).

    .venv/bin/python docs/images/make_site_images.py

The site card (1200x630) is the image shared for the pages without one of their own
(OpenGraph, Twitter); the icons are the favicon (16, 32, 48 px in one .ico), the web app
manifest's 192 and 512 px, and the Apple touch icon (180 px). Colours: static/css/portal.css.
Needs Pillow and the DejaVu fonts (Debian's fonts-dejavu-core).
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

STATIC = Path(__file__).resolve().parents[2] / "static"
BLUE, ACCENT, WHITE = "#0b3d6b", "#b3261e", "#ffffff"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size
    )


def icon(size: int) -> Image.Image:
    """ "COS" in white on the portal's blue, with the accent's bar beneath."""
    image = Image.new("RGB", (size, size), BLUE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(size * 0.82), size, size), fill=ACCENT)
    draw.text((size / 2, size * 0.42), "COS", font=font(int(size * 0.36)), fill=WHITE, anchor="mm")
    return image


def site_card() -> Image.Image:
    image = Image.new("RGB", (1200, 630), BLUE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 1200, 630), fill=ACCENT)
    draw.text((80, 150), "COS-GE", font=font(140), fill=WHITE)
    lines = ("Communauté des Offreurs de Solutions", "industrie du futur en Grand Est")
    for index, line in enumerate(lines):
        draw.text((84, 340 + index * 64), line, font=font(48, bold=False), fill=WHITE)
    draw.text((84, 575), "Portail de gouvernance", font=font(32, bold=False), fill=WHITE)
    return image


def main() -> None:
    images = STATIC / "img"
    images.mkdir(exist_ok=True)
    site_card().save(images / "site-card.png", optimize=True)
    for size in (192, 512):
        icon(size).save(images / f"icon-{size}.png", optimize=True)
    icon(180).save(images / "apple-touch-icon.png", optimize=True)
    icon(256).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
