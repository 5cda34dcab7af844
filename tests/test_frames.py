"""Frames compressed once: byte for byte what the websocket library sends without server
context takeover, and read back by a phone's decompressor between frames the connection
compressed itself."""

from __future__ import annotations

import asyncio

import aiohttp
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import TEXT, Frame

from facilitation.realtime.frames import (
    FRAMES,
    MEMORY_LEVEL,
    SHARED_FROM,
    compressed_frame,
    text_frame,
)
from tests.conftest import Server
from tests.realtime_clients import Console


def server_side(bits: int) -> PerMessageDeflate:
    return PerMessageDeflate(False, True, bits, bits, {"memLevel": MEMORY_LEVEL})


def phone_side(bits: int) -> PerMessageDeflate:
    # the phone's view: the server takes no context over, the phone keeps its own
    return PerMessageDeflate(True, False, bits, bits)


def split(frame: bytes) -> tuple[int, bytes]:
    first, size = frame[0], frame[1] & 0x7F
    start = 2
    if size == 126:
        size, start = int.from_bytes(frame[2:4], "big"), 4
    elif size == 127:
        size, start = int.from_bytes(frame[2:10], "big"), 10
    assert len(frame) == start + size
    return first, frame[start:]


texts = st.text(min_size=0, max_size=3000) | st.builds(
    lambda t, n: t * n, st.text(min_size=1, max_size=40), st.integers(1, 2000)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(texts, st.booleans()), min_size=1, max_size=8), st.sampled_from([9, 12]))
def test_our_frames_read_back_between_the_connections_own(
    messages: list[tuple[str, bool]], bits: int
) -> None:
    ours, theirs = server_side(bits), phone_side(bits)
    for text, written_by_us in messages:
        if written_by_us:
            first, payload = split(compressed_frame(text, bits))
            assert first == 0xC1  # FIN, RSV1 (compressed), text
            assert payload == bytes(ours.encode(Frame(TEXT, text.encode())).data)
            plain_first, plain = split(text_frame(text.encode(), compressed=False))
            assert plain_first == 0x81 and plain == text.encode()
            # a phone reads both: the deflated frame, and the small text sent as it is
            assert theirs.decode(Frame(TEXT, payload, rsv1=True)).data == text.encode()
            frame = Frame(TEXT, plain, rsv1=False)
        else:
            frame = ours.encode(Frame(TEXT, text.encode()))
        assert theirs.decode(frame).data == text.encode()


def test_one_frame_per_text_and_window() -> None:
    text = " ".join(str(i * 7919 % 1000) for i in range(SHARED_FROM))
    assert FRAMES.frame(text, 12) is FRAMES.frame("".join([text]), 12)
    assert FRAMES.frame(text, 12) != FRAMES.frame(text, 9)


def test_a_real_phone_negotiates_no_server_context_takeover_and_reads_the_step(
    server: Server,
) -> None:
    async def main() -> tuple[str, list[str]]:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            page = await http.get(f"{server.base}/e/{server.code}")
            assert page.status == 200
            url = f"{server.base}/socket.io/?EIO=4&transport=websocket&code={server.code}"
            async with http.ws_connect(url, compress=15, origin=server.base) as ws:
                agreed = ws._response.headers.get("Sec-WebSocket-Extensions", "")
                await ws.receive_str()  # engine.io open
                await ws.send_str("40")
                seen: list[str] = []
                while not any(m.startswith('42["step"') for m in seen):
                    seen.append(await asyncio.wait_for(ws.receive_str(), 15))
                console = await Console(server.base, server.code).login(server.console_url)
                await console.act("next")  # a pitch: a fragment of several kilobytes
                while "step-pitch" not in seen[-1]:
                    seen.append(await asyncio.wait_for(ws.receive_str(), 15))
                await console.close()
                return agreed, seen

    agreed, seen = asyncio.run(main())
    assert "permessage-deflate" in agreed and "server_no_context_takeover" in agreed
    assert seen[-1].startswith('42["step"')
    assert len(seen[-1]) >= SHARED_FROM  # sent through the shared frames, read back whole
