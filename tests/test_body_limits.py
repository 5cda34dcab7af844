"""Request bodies over a route's cap are refused before they are read (a real server)."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import Server

HUGE = 300 * 1024 * 1024


async def answer_of(reader: asyncio.StreamReader) -> bytes:
    """What the server answered before it closed (a close with our bytes unread is a reset)."""
    answer = b""
    try:
        while chunk := await reader.read(65536):
            answer += chunk
    except ConnectionResetError:
        pass
    return answer


async def head_only(server: Server, path: str, length: int) -> bytes:
    """Headers announcing `length` bytes, and not one byte of body: only a server that answers
    before reading can reply."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {length}\r\n\r\n".encode()
    )
    await writer.drain()
    try:
        return await asyncio.wait_for(answer_of(reader), 20)
    finally:
        writer.close()


async def streamed(server: Server, path: str, total: int) -> tuple[bytes, int]:
    """A chunked body of up to `total` bytes, sent until the server answers; returns the answer
    and how much was sent by then."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
        + b'3f\r\n--x\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n\r\n'
    )
    sent = 0

    async def send() -> None:
        nonlocal sent
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"a" * 64 * 1024)
        try:
            while sent < total:
                writer.write(chunk)
                await writer.drain()  # blocks once the server stops reading
                sent += 64 * 1024
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        except ConnectionError:
            pass  # the server answered and closed

    sender = asyncio.ensure_future(send())
    try:
        answer = await asyncio.wait_for(answer_of(reader), 60)
    finally:
        sender.cancel()
        writer.close()
    return answer, sent


async def test_bodies_over_the_cap_are_refused_unread(server: Server) -> None:
    for path in (f"/e/{server.code}/vote", f"/e/{server.code}/console/act", "/organiser/events"):
        answer = await head_only(server, path, HUGE)
        assert answer.startswith(b"HTTP/1.1 413"), (path, answer[:200])
        assert b"too long" in answer or b"trop long" in answer, answer
    answer, sent = await streamed(server, f"/e/{server.code}/vote", 32 * 1024 * 1024)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # stopped at the cap (plus what the sockets' buffers held), never spooled to disk
    assert sent < 8 * 1024 * 1024, sent
    # forms within the cap still work, and the server still answers everyone
    async with httpx.AsyncClient(base_url=server.base) as phone:
        assert (await phone.get(f"/e/{server.code}")).status_code == 200
        answer = await phone.post(f"/e/{server.code}/name", data={"name": "x" * 10_000})
        assert answer.status_code != 413
        answer = await phone.post(f"/e/{server.code}/name", data={"name": "x" * 20_000})
        assert answer.status_code == 413
