"""Thumbnails (缩略图) of visit photos: a real downscaled JPEG made once on upload, so a list of visits
loads a few kilobytes per photo instead of each original (a phone photo is several megabytes)."""

from __future__ import annotations

import io

THUMB_SIDE = 320  # px, the longer side: sharp at 2× on the 48–160 px boxes the lists draw
THUMB_QUALITY = 80


def make_thumbnail(data: bytes, *, side: int = THUMB_SIDE) -> bytes | None:
    """A JPEG no larger than side×side (aspect kept, EXIF rotation applied), or None when the bytes do
    not decode as an image Pillow can read — the caller then shows the original."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", (side, side))  # JPEG: decode at a reduced scale, far less memory
            image: Image.Image = ImageOps.exif_transpose(opened)
            image.thumbnail((side, side))
            if image.mode not in ("RGB", "L"):
                # transparency (PNG, GIF, WebP) over white, as the page shows it
                rgba = image.convert("RGBA")
                image = Image.new("RGB", rgba.size, (255, 255, 255))
                image.paste(rgba, mask=rgba.getchannel("A"))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=THUMB_QUALITY, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return out.getvalue()
