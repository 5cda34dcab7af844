"""Server settings: one frozen value, built from CLI flags (and the environment for tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent


def resource_dir(name: str) -> Path:
    """templates/, static/ or formats/: in the package once installed, else atop the checkout."""
    installed = PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / name


@dataclass(frozen=True)
class Settings:
    # a SQLite file, or a postgresql:// URL (facilitation.storage.opening tells which)
    db_path: str = "facilitation.sqlite3"
    # several processes of one database share sockets, presence and pushes through Redis
    redis_url: str | None = None
    public_url: str | None = None  # e.g. http://192.168.1.20:8000; None = from the request
    default_lang: str = "fr"
    max_payload_bytes: int = 16 * 1024  # a ballot is small; bigger ones get an error reply
    # Above this the transport drops the connection instead of replying: it only protects memory.
    max_message_bytes: int = 1024 * 1024
    # Anonymous sockets (phones, projectors without the facilitator's cookie) held at once;
    # 0 lifts a cap. Phones behind one NAT share an address: raise the last one for a server
    # reached over the internet from a venue's Wi-Fi.
    max_sockets_per_event: int = 2000
    max_screens_per_event: int = 20
    max_sockets_per_address: int = 200
    # A connection must have sent its request's headers within this many seconds.
    header_timeout_s: float = 10.0
    # Connections of every kind the process holds before uvicorn answers 503 (bounded by the
    # open-file limit the system allows).
    max_connections: int = 4096
    # The server pings each socket this often and drops it after this long without an answer;
    # phones see the same pings stop: a link gone silent (Wi-Fi lost without a word) shows
    # "reconnecting" within their sum rather than "live" for a minute (engine.io: 25 + 20 s).
    ping_interval_s: float = 10.0
    ping_timeout_s: float = 5.0
    # Compile every template before serving (0.4 s a language), so that no phone waits for
    # the first page of a kind: `facilitation serve` does; tests' apps compile as they go.
    compile_templates: bool = False
    tally_interval_s: float = 0.25  # at most four count/tally updates a second per event
    # New identities (page views without a participant cookie) per client address: a phone
    # that lost its cookie joins again at once, a script looping from one address is slowed
    # to this rate. 0 turns the limit off (a load test from one machine).
    new_identities_per_minute: float = 5
    new_identities_burst: int = 5
    # Behind a reverse proxy every request comes from the proxy: trust the address it adds
    # last to X-Forwarded-For. Off by default, as anyone can send that header.
    trust_forwarded_for: bool = False
    templates_dir: Path = field(default_factory=lambda: resource_dir("templates"))
    static_dir: Path = field(default_factory=lambda: resource_dir("static"))
    formats_dir: Path = field(default_factory=lambda: resource_dir("formats"))
    # The organiser's own formats (copies to adapt): next to the database unless told otherwise.
    user_formats_dir: Path | None = None
    # How long the facilitator's and the organiser's sessions last (a day's event, not a month).
    facilitator_session_s: int = 12 * 3600
    organiser_session_s: int = 12 * 3600
    # Believe X-Forwarded-Proto (cookies marked Secure behind an HTTPS proxy): only when a
    # proxy sets it, or anyone could claim HTTPS.
    trust_proxy: bool = False
    # How long a write waits for another process's lock before the room is told it is busy.
    busy_timeout_s: float = 10.0

    def own_formats_dir(self) -> Path:
        if self.user_formats_dir is not None:
            return self.user_formats_dir
        if "://" in self.db_path:  # a database server: where the server was started
            return Path.cwd() / "facilitation-formats"
        return Path(self.db_path).resolve().parent / "facilitation-formats"
