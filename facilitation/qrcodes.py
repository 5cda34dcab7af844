"""QR codes of join links, as SVG for the screen and as text for the terminal."""

from __future__ import annotations

import io
from functools import cache

import qrcode
import qrcode.image.svg


@cache
def qr_svg(url: str) -> str:
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg: bytes = image.to_string()
    return svg.decode("utf-8")


def qr_text(url: str) -> str:
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
    qr.add_data(url)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()
