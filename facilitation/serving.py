"""`facilitation serve`: open the database, start or resume the event, print where to go, run."""

from __future__ import annotations

import argparse
import asyncio
import gc
import socket
import sys
from pathlib import Path

from facilitation.core.formats import FormatError, localise, parse_format
from facilitation.core.rosters import Project, RosterError
from facilitation.http_limits import open_files_for, protocol_with_deadline
from facilitation.processes.link import RedisUnavailableError
from facilitation.processes.link import check as check_redis
from facilitation.processes.link import describe as describe_redis
from facilitation.qrcodes import qr_text
from facilitation.readers.formats import file_resolver, read_text
from facilitation.readers.rosters import load_roster_file
from facilitation.realtime.frames import SharedFramesProtocol
from facilitation.services.events import Events
from facilitation.settings import Settings, resource_dir
from facilitation.storage import StorageError, StorageUnavailableError, Store
from facilitation.storage.opening import describe, open_store


def lan_address() -> str:
    """The address other devices on this network reach us at (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address: str = probe.getsockname()[0]
    except OSError:
        address = "127.0.0.1"
    finally:
        probe.close()
    return address


def resolve_format(name: str, formats_dir: Path) -> Path:
    """A path to a format file, or the id of a shipped one (`carrefour-des-possibles`)."""
    path = Path(name)
    if path.is_file():
        return path.resolve()
    shipped = formats_dir / f"{name.removesuffix('.yaml')}.yaml"
    if shipped.is_file():
        return shipped
    available = ", ".join(sorted(p.stem for p in formats_dir.glob("*.yaml")))
    raise SystemExit(f"facilitation: no format file {name!r} (shipped formats: {available})")


def parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"facilitation: --param expects NAME=VALUE, got {pair!r}")
        params[key.strip()] = value.strip()
    return params


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise SystemExit(
            f"facilitation: cannot listen on {host}:{port} ({error.strerror}); "
            "is another server running? Try --port 8001."
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def quieter_collections() -> None:
    """Thousands of open sockets are hundreds of thousands of live objects; a full garbage
    collection walks them all (0.4-0.5 s at 5,000 phones, every phone waiting). What start-up
    made (modules, templates, formats) is set aside for good, and collections are made rarer:
    what an event allocates lives as long as its sockets, little of it is cyclic garbage."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from facilitation.app import create_app

    formats_dir = resource_dir("formats")
    public_url = (args.public_url or f"http://{lan_address()}:{args.port}").rstrip("/")
    settings = Settings(
        user_formats_dir=Path(args.formats_dir) if args.formats_dir else None,
        db_path=args.db,
        redis_url=args.redis,
        public_url=public_url,
        default_lang=args.lang or "fr",
        max_sockets_per_event=args.max_sockets_per_event,
        max_screens_per_event=args.max_screens_per_event,
        max_sockets_per_address=args.max_sockets_per_address,
        header_timeout_s=args.header_timeout,
        max_connections=args.max_connections,
        new_identities_per_minute=args.new_phones_per_minute,
        new_identities_burst=max(1, round(args.new_phones_per_minute)),
        trust_forwarded_for=args.trust_forwarded_for,
        facilitator_session_s=round(args.session_hours * 3600),
        organiser_session_s=round(args.session_hours * 3600),
        trust_proxy=args.trust_proxy,
        # a load test's phones may ping quicker than the 10 s phones use
        ping_interval_s=args.ping_interval or Settings.ping_interval_s,
        ping_timeout_s=min(Settings.ping_timeout_s, args.ping_interval or Settings.ping_timeout_s),
        compile_templates=True,
    )
    try:
        storage = open_store(settings.db_path)
    except StorageUnavailableError as error:  # a database server that is not there
        print(f"facilitation: {error}", file=sys.stderr)
        return 2
    except StorageError as error:
        print(f"facilitation: {error}", file=sys.stderr)
        return 1
    if settings.redis_url:
        try:
            check_redis(settings.redis_url)
        except RedisUnavailableError as error:
            storage.close()
            print(f"facilitation: {error}", file=sys.stderr)
            return 2
    lines = [f"facilitation · database {describe(settings.db_path)}"]
    if settings.redis_url:
        lines.append(f"  shared with other processes through {describe_redis(settings.redis_url)}")
    join_url = f"{public_url}/"
    # This store only starts the event: it is closed (its writer thread ended) before the app
    # opens the one it serves with.
    try:
        if args.format:
            # storage writes are coroutines: a loop of their own, before the server's runs
            event_lines, join_url = asyncio.run(
                _start_event(args, storage, formats_dir, public_url)
            )
            lines += event_lines
        else:
            lines.append(f"  Participants join:   {join_url}   (they type the event's code)")
        lines.append(f"  Organiser home:      {public_url}/organiser?key={storage.organiser_key()}")
    except (FormatError, RosterError) as error:
        print("\n".join(p.render() for p in error.problems), file=sys.stderr)
        return 1
    finally:
        storage.close()
    sock = bind(args.host, args.port)
    print("\n".join(lines))
    print(qr_text(join_url))
    app = create_app(settings)
    quieter_collections()
    # said once the app is made: what connects from now on is answered at once
    print("Press Ctrl+C to stop. Starting again resumes the event where it was.", flush=True)
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_max_size=settings.max_message_bytes,
        ws=SharedFramesProtocol,  # a push's frame compressed once for all its phones
        timeout_graceful_shutdown=2,
        http=protocol_with_deadline(settings.header_timeout_s),
        timeout_keep_alive=5,  # idle between requests: uvicorn's default, said here on purpose
        limit_concurrency=open_files_for(settings.max_connections),
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


async def _start_event(
    args: argparse.Namespace, storage: Store, formats_dir: Path, public_url: str
) -> tuple[list[str], str]:
    path = resolve_format(args.format, formats_dir)
    source = read_text(path)
    params = parse_params(args.param)
    resolve = file_resolver(path.parent, formats_dir)
    fmt = parse_format(source, str(path), params, resolve)
    # a workshop with nothing to pitch gets no demo projects (nor their holders' links)
    roster: tuple[Project, ...] = ()
    if args.roster or fmt.uses_projects():
        roster_path = Path(args.roster) if args.roster else formats_dir / "rosters" / "demo.yaml"
        roster = load_roster_file(roster_path)
    events = Events(storage)
    roster_data = [p.model_dump(mode="json") for p in roster]
    previous = None if args.new else storage.latest_event(fmt.id, str(path))
    lines = []
    if previous is not None and previous.roster == roster_data and previous.params == params:
        live = events.get(previous.code)
        assert live is not None
        note = f"resumed at step {live.state.cursor + 1} of {len(live.plan.stages)}"
        if previous.format_source != source:
            note += (
                "; the file changed since it started, it keeps its first version (--new to restart)"
            )
    else:
        live = await events.create(
            format_source=source,
            format_name=str(path),
            roster=roster,
            params=params,
            lang=args.lang,
            resolve=resolve,
        )
        note = "new event"
        if roster:
            note += f", {len(roster)} projects" + ("" if args.roster else " (demo roster)")
    title = localise(fmt.title, live.row.lang, fmt.lang)
    lines.append(f"{title} · event {live.code} · {note}")
    lines.append(
        f"  Facilitator console: {public_url}/e/{live.code}/console?key={live.row.secret}"
        "   (keep this link secret)"
    )
    lines.append(f"  Projector view:      {public_url}/e/{live.code}/screen")
    join_url = f"{public_url}/e/{live.code}"
    lines.append(f"  Participants join:   {join_url}   (code {live.code})")
    return lines, join_url
