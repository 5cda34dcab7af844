"""The projector view: join QR and code, current step, big timer, results once revealed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitation.qrcodes import qr_svg
from facilitation.web.services import event_or_404, lang_of, public_base, remember_lang, services


async def screen_page(request: Request) -> Response:
    live = event_or_404(request)
    svc = services(request)
    lang = lang_of(request, live)
    base = public_base(request)
    context = await svc.views.context(live, "screen", lang)
    context["join_url"] = f"{base}/e/{live.code}"
    context["join_host"] = base.split("://", 1)[-1]
    page = svc.pages.page(request, "screen.html", lang, context)
    return remember_lang(request, page)


async def qr_image(request: Request) -> Response:
    live = event_or_404(request)
    svg = qr_svg(f"{public_base(request)}/e/{live.code}")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


routes = [
    Route("/e/{code}/screen", screen_page, name="screen"),
    Route("/e/{code}/qr.svg", qr_image, name="qr"),
]
