"""A supporter page's photo: checked by decoding it, re-encoded, stored without any metadata.

What a phone photo carries beyond its pixels can say where someone lives: EXIF (GPS position, the
camera's serial number, the time), XMP, an ICC profile's description, JPEG comments. None of it is
kept. The upload is decoded by Pillow (its file name and the browser's content type are never
trusted), its pixels are copied into a new image that has no `info` at all, turned upright by its
EXIF orientation first (so a portrait photo does not lie on its side once that tag is gone), scaled
down to at most PHOTO_MAX_SIDE pixels on its longer side, and written as a fresh JPEG. Only that file is
stored, under a random name: the original bytes are never written anywhere.
"""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024  # what may be uploaded
PHOTO_MAX_PIXELS = 40_000_000  # refused before decoding (a small file can decode to gigabytes)
PHOTO_MAX_SIDE = 1600  # what is stored
PHOTO_QUALITY = 85
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="photo")


def photo_reencode(upload) -> ContentFile:
    """The stored photo for an uploaded file: a metadata-free JPEG under a random name, or
    ValidationError with a sentence the supporter can act on."""
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise _refuse(_("The photo is larger than 5 MB. Please choose a smaller one."))
    upload.seek(0)
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise _refuse(_("The photo is larger than 5 MB. Please choose a smaller one."))
    not_an_image = _("This file is not a photo we can read. Please upload a JPEG, PNG, WebP or GIF image.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in PHOTO_FORMATS:
                raise _refuse(not_an_image)
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise _refuse(_("The photo has too many pixels. Please upload a smaller one."))
            image.seek(0)  # the first frame of an animation
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _flatten(upright)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise _refuse(not_an_image) from exc
    rgb.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the upload's `info` (EXIF, XMP, ICC profile,
    # comments, DPI) can reach the encoder, whatever a Pillow version copies over by default.
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=PHOTO_QUALITY, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency is laid on white (a PNG logo does not turn black)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
