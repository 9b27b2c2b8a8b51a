"""Evidence photos: any phone picture in, a small JPEG out.

Pillow reads the upload (refusing what is not a picture or would decompress to a
bomb), turns it upright, shrinks it to 1600 px and re-encodes it. Re-encoding drops
EXIF — a phone photo's GPS position of a member's home has no place in the ledger —
and a 4 MB camera file becomes about 300 KB.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.errors import Refused
from app.i18n import N_

MAX_UPLOAD_BYTES = 12 * 1024 * 1024
UPLOAD_LIMIT = MAX_UPLOAD_BYTES + 1024 * 1024
"""A form's body limit: the photo's own limit plus the form around it, so a large photo
gets the page's message rather than a bare 413."""
MAX_PIXELS = 50_000_000
LONG_SIDE = 1600
JPEG = "image/jpeg"
FORMATS = ("JPEG", "PNG", "WEBP")


def evidence_jpeg(data: bytes) -> bytes:
    """The upload as a small upright JPEG without metadata; Refused if it is no photo."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(N_("The photo is larger than 12 MB. Please choose a smaller one."))
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise Refused(N_("This file is not a photo we can read (JPEG, PNG or WebP)."))
            probe.verify()
        with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
            upright = ImageOps.exif_transpose(opened)
            upright.thumbnail((LONG_SIDE, LONG_SIDE))
            out = io.BytesIO()
            upright.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise Refused(N_("This file is not a photo we can read (JPEG, PNG or WebP).")) from exc
    return out.getvalue()
