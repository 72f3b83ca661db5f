"""Reading what an uploaded file really is, from its content: never from its name or the
content type the browser declared. Each app keeps its own formats, sizes and messages;
these helpers only look at the bytes."""

import warnings

from PIL import Image


def content_starts_with(file, signature: bytes) -> bool:
    """Whether the file begins with ``signature`` (a PDF's ``%PDF-``, a ZIP's ``PK``...).

    The read position is put back at the start, so the file can be stored afterwards.
    """
    file.seek(0)
    head = file.read(len(signature))
    file.seek(0)
    return head == signature


def image_format(file) -> str | None:
    """Pillow's name of the image format (``"PNG"``, ``"JPEG"``, ``"WEBP"``...), or None
    when the content is not an image Pillow can verify.

    A decompression bomb counts as not an image (refused, not merely logged); the read
    position is put back at the start.
    """
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                found = image.format
                image.verify()
    except Exception:
        # Pillow raises many kinds of errors on corrupt input; like Django's ImageField,
        # any of them means "not an image".
        return None
    finally:
        file.seek(0)
    return found
