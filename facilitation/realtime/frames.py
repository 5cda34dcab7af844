"""Websocket frames compressed once for every phone a push goes to.

A step pushed to 5,000 phones is the same text 5,000 times. python-socketio encodes it once,
but permessage-deflate then compresses it again for each connection, since with context
takeover each connection's compressor carries its own history: 60 to 130 µs a phone for a
step fragment, the largest part of what a push costs the server. Our server declines context
takeover for what it sends (RFC 7692, 7.1.1.1 lets a server do so whatever the client
offered), so that a message's compressed bytes depend only on its text and the window size:
the frame of a large text is made once and written as it is to every connection that sends the
same text soon after. The texts are large enough (a step fragment is several kilobytes, more
than the 4 KB window) that a window carried over from the previous message gained little.

Phones decompress exactly as before, and what they send is still compressed with their own
context. Texts under `SHARED_FROM` bytes (acks, counts, the engine.io handshake) are sent
uncompressed, which RFC 7692 allows on a connection that agreed to compression (RSV1 unset):
without a carried-over window they would shrink little, and a compressor made for each would
cost more than the bytes it saves.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import (
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.protocol import State
from websockets.server import ServerProtocol

SHARED_FROM = 1024
KEPT = 32  # frames kept: the pushes of the last moments, each per language and audience
# the protocol's own settings (uvicorn's): a 4 KB window, a small memory level
WINDOW_BITS = 12
MEMORY_LEVEL = 5
_SYNC_FLUSH_TAIL = b"\x00\x00\xff\xff"


def text_frame(data: bytes, compressed: bool) -> bytes:
    """One unmasked, final text frame (FIN, opcode 1), RSV1 set when `data` is deflated."""
    first = 0xC1 if compressed else 0x81
    size = len(data)
    if size < 126:
        head = bytes((first, size))
    elif size < 1 << 16:
        head = bytes((first, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((first, 127)) + size.to_bytes(8, "big")
    return head + data


def compressed_frame(text: str, window_bits: int) -> bytes:
    """`text` deflated on its own, as websockets does it without context takeover."""
    encoder = zlib.compressobj(wbits=-window_bits, memLevel=MEMORY_LEVEL)
    data = encoder.compress(text.encode()) + encoder.flush(zlib.Z_SYNC_FLUSH)
    return text_frame(data.removesuffix(_SYNC_FLUSH_TAIL), compressed=True)


class Frames:
    """The frames of the large texts sent lately, shared by every connection of the process."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, str], bytes] = OrderedDict()

    def frame(self, text: str, window_bits: int) -> bytes:
        key = (window_bits, text)
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = compressed_frame(text, window_bits)
            if len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return found


FRAMES = Frames()


class SharedFramesProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websocket protocol, server context takeover declined, large texts written
    from `FRAMES`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            self.conn = ServerProtocol(
                extensions=[
                    ServerPerMessageDeflateFactory(
                        server_no_context_takeover=True,
                        server_max_window_bits=WINDOW_BITS,
                        client_max_window_bits=WINDOW_BITS,
                        compress_settings={"memLevel": MEMORY_LEVEL},
                    )
                ],
                max_size=self.config.ws_max_size,
                logger=self.conn.logger,
            )
        self._bits: int | None = None

    def _shared_bits(self) -> int | None:
        """The window of a negotiated deflate without server context takeover, else None."""
        if self._bits is None:
            deflate = next(
                (e for e in self.conn.extensions if isinstance(e, PerMessageDeflate)), None
            )
            usable = deflate is not None and deflate.local_no_context_takeover
            self._bits = deflate.local_max_window_bits if usable and deflate else 0
        return self._bits or None

    async def send(self, message: Any) -> None:
        text = message.get("text") if message["type"] == "websocket.send" else None
        if (
            text is not None
            and self.handshake_complete
            and not self.close_sent
            and self.initial_response is None
            and self.conn.state is State.OPEN
        ):
            bits = self._shared_bits()
            if bits is not None:
                await self.writable.wait()
                if not self.disconnected and not self.transport.is_closing():
                    if len(text) >= SHARED_FROM:
                        self.transport.write(FRAMES.frame(text, bits))
                    else:
                        self.transport.write(text_frame(text.encode(), compressed=False))
                    return
        await super().send(message)
