"""The demo newsroom's photos, drawn here with Pillow (nothing is downloaded): gradients,
shapes and an ASCII label, each made the way an upload is (``Photo.store``)."""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1600, 1000


def _gradient(top: tuple, bottom: tuple, size=(WIDTH, HEIGHT)) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def _label(image: Image.Image, text: str) -> None:
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    box = draw.textbbox((0, 0), text, font=font)
    x, y = 48, image.height - 48 - (box[3] - box[1])
    draw.rectangle((x - 20, y - 16, x + box[2] + 20, y + box[3] + 16), fill=(0, 0, 0))
    draw.text((x, y), text, font=font, fill=(255, 255, 255))


def metro() -> Image.Image:
    image = _gradient((120, 170, 225), (235, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 700, WIDTH, HEIGHT), fill=(90, 90, 95))
    for x in range(-40, WIDTH, 80):
        draw.rectangle((x, 760, x + 40, 780), fill=(60, 50, 40))
    draw.line([(0, 750), (WIDTH, 750)], fill=(200, 200, 205), width=8)
    draw.line([(0, 790), (WIDTH, 790)], fill=(200, 200, 205), width=8)
    draw.rounded_rectangle(
        (180, 430, 1420, 740), radius=60, fill=(250, 250, 250), outline=(40, 40, 40), width=6
    )
    draw.rectangle((180, 650, 1420, 680), fill=(0, 150, 136))
    for x in range(250, 1300, 175):
        draw.rounded_rectangle((x, 480, x + 120, 580), radius=12, fill=(60, 90, 120))
    _label(image, "Nanjing Metro Line 11 - trial run")
    return image


def cold_wave() -> Image.Image:
    image = _gradient((40, 80, 150), (210, 230, 250))
    draw = ImageDraw.Draw(image)
    rng = random.Random(18)
    for _ in range(70):
        x, y, r = rng.randrange(WIDTH), rng.randrange(HEIGHT - 150), rng.randrange(8, 26)
        for angle in range(0, 180, 60):
            dx, dy = r * math.cos(math.radians(angle)), r * math.sin(math.radians(angle))
            draw.line([(x - dx, y - dy), (x + dx, y + dy)], fill=(255, 255, 255), width=3)
    draw.rounded_rectangle(
        (1250, 160, 1330, 700), radius=40, fill=(245, 245, 245), outline=(80, 80, 80), width=5
    )
    draw.ellipse((1220, 640, 1360, 780), fill=(30, 110, 220))
    draw.rectangle((1275, 450, 1305, 700), fill=(30, 110, 220))
    _label(image, "Cold wave: -8 to -10 C")
    return image


def towers() -> Image.Image:
    image = _gradient((30, 20, 70), (240, 140, 90))
    draw = ImageDraw.Draw(image)
    rng = random.Random(5)
    x = 0
    while x < WIDTH:
        w, h = rng.randrange(80, 180), rng.randrange(150, 420)
        draw.rectangle((x, HEIGHT - h, x + w, HEIGHT), fill=(25, 25, 45))
        x += w + rng.randrange(0, 20)
    for cx in (420, 1120):
        draw.polygon([(cx, 180), (cx - 90, 760), (cx + 90, 760)], outline=(230, 230, 240), width=6)
        for r in (80, 140, 200):
            draw.arc((cx - r, 180 - r, cx + r, 180 + r), 200, 340, fill=(255, 230, 120), width=6)
    _label(image, "5G-A coverage")
    return image


def battery() -> Image.Image:
    image = _gradient((15, 30, 45), (40, 90, 110))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((400, 250, 1200, 750), radius=40, outline=(220, 230, 235), width=8)
    draw.rectangle((1200, 420, 1260, 580), fill=(220, 230, 235))
    for i, colour in enumerate([(240, 180, 60), (90, 200, 160), (120, 160, 240), (240, 120, 110)]):
        draw.rectangle((440 + i * 190, 290, 600 + i * 190, 710), fill=colour)
    _label(image, "Solid-state electrolyte (illustration)")
    return image


def riverside() -> Image.Image:
    image = _gradient((250, 200, 140), (140, 190, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 620, WIDTH, HEIGHT), fill=(70, 120, 160))
    for y in range(650, HEIGHT, 40):
        draw.line([(0, y), (WIDTH, y)], fill=(110, 160, 200), width=3)
    draw.line([(0, 420), (WIDTH, 420)], fill=(120, 60, 50), width=18)
    for x in range(100, WIDTH, 300):
        draw.rectangle((x, 420, x + 40, 640), fill=(120, 60, 50))
        draw.polygon([(x - 10, 420), (x + 20, 300), (x + 50, 420)], fill=(150, 80, 60))
    draw.ellipse((1250, 120, 1400, 270), fill=(255, 240, 200))
    _label(image, "Riverside walk at dusk")
    return image


def walkway() -> Image.Image:
    image = _gradient((170, 215, 160), (90, 150, 90))
    draw = ImageDraw.Draw(image)
    draw.polygon([(700, 300), (900, 300), (1400, HEIGHT), (200, HEIGHT)], fill=(200, 170, 130))
    rng = random.Random(11)
    for _ in range(30):
        x, y = rng.randrange(WIDTH), rng.randrange(200, 700)
        if 150 < x < 1450 and y > 300 and abs(x - 800) < (y - 300) * 0.9:
            continue
        draw.ellipse((x - 50, y - 90, x + 50, y + 10), fill=(50, 120, 60))
        draw.rectangle((x - 8, y, x + 8, y + 60), fill=(90, 60, 40))
    _label(image, "Jiangbei riverside path")
    return image


DRAWINGS = {
    "metro": metro,
    "cold_wave": cold_wave,
    "towers": towers,
    "battery": battery,
    "riverside": riverside,
    "walkway": walkway,
}


def drawn(name: str):
    """The drawing ``name`` as an upload-like JPEG file (what ``open_upload`` reads)."""

    class Upload(io.BytesIO):
        size = property(lambda self: len(self.getvalue()))

    out = Upload()
    DRAWINGS[name]().save(out, "JPEG", quality=90)
    out.seek(0)
    return out
