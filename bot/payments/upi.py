"""UPI intent links (NPCI's `upi://pay` deep link) and their QR codes."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import segno


def intent_link(
    vpa: str, payee: str, amount_paise: int, reference: str, note: str, currency: str = "INR"
) -> str:
    """`upi://pay?pa=…&pn=…&am=…&cu=INR&tr=…&tn=…`: any UPI app opens it with the amount set."""
    rupees, paise = divmod(amount_paise, 100)
    query = urlencode(
        {
            "pa": vpa,
            "pn": payee,
            "am": f"{rupees}.{paise:02d}",
            "cu": currency,
            "tr": reference,
            "tn": note,
        },
        safe="@",
        quote_via=quote,
    )
    return f"upi://pay?{query}"


def qr_svg(data: str, scale: int = 4) -> str:
    """An inline SVG QR code, to scan from a second phone."""
    return segno.make(data, error="m").svg_inline(scale=scale, title="UPI QR code")
