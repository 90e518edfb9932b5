"""Photo-like pictures made with Pillow, and the copies a reuser would make of them."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def scene(seed: int, size=(800, 600)) -> Image.Image:
    """A picture with structure at every scale (shapes over a gradient), unique per seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        shade = int(255 * y / size[1])
        draw.line([(0, y), (size[0], y)], fill=(shade, rng.randint(60, 90), 255 - shade))
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randint(20, 260), rng.randint(20, 200)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([x, y, x + w, y + h], fill=colour)
    return image.filter(ImageFilter.GaussianBlur(1))


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def reencoded(image: Image.Image) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(image, quality=55)))


def resized(image: Image.Image) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2))


def cropped(image: Image.Image, share: float = 0.03) -> Image.Image:
    dx, dy = int(image.width * share), int(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))
