"""What an upload is comes from its bytes, and the file is left ready to be stored."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import content_starts_with, image_format


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_content_starts_with_reads_the_signature_and_rewinds():
    upload = SimpleUploadedFile("x.txt", b"%PDF-1.7 rest", content_type="text/plain")
    upload.read(3)

    assert content_starts_with(upload, b"%PDF-")
    assert upload.tell() == 0
    assert not content_starts_with(upload, b"PK\x03\x04")


def test_image_format_names_a_real_image_whatever_its_name():
    upload = SimpleUploadedFile("photo.pdf", png_bytes(), content_type="application/pdf")

    assert image_format(upload) == "PNG"
    assert upload.tell() == 0
    assert upload.read() == png_bytes()


def test_image_format_is_none_for_what_is_not_an_image():
    upload = SimpleUploadedFile(
        "logo.png", b"\x89PNG\r\n\x1a\nnot really", content_type="image/png"
    )

    assert image_format(upload) is None
    assert upload.tell() == 0
