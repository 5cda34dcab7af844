"""The format builder over HTTP: every action, its refusals, and the file it writes (which
`facilitation check` accepts, with the organiser's comments and key order kept)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from facilitation.core.formats import parse_format
from facilitation.readers.formats import load_format_file
from facilitation.services.format_documents import FormatDocument
from tests.builder_forms import form_fields, replaced
from tests.conftest import FORMATS
from tests.test_organiser import csrf_of, organiser  # noqa: F401  (the fixture)

Fields = list[tuple[str, str]]
COPY = "carrefour-des-possibles-copy"
URL = f"/organiser/formats/{COPY}/builder"


def post(client: TestClient, fields: Fields, action: str, **headers: str) -> object:
    return client.post(
        URL,
        content=urlencode([*fields, ("action", action)]),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        follow_redirects=False,
    )


@pytest.fixture
def copied(organiser: tuple[TestClient, Path]) -> tuple[TestClient, Path]:  # noqa: F811
    client, own = organiser
    csrf = csrf_of(client.get("/organiser").text)
    response = client.post(
        "/organiser/formats/carrefour-des-possibles/copy",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert response.headers["location"] == URL
    return client, own / f"{COPY}.yaml"


def panel(client: TestClient, name: str) -> Fields:
    page = client.get(f"{URL}?panel={name}")
    assert page.status_code == 200
    return form_fields(page.text)


def test_the_agenda_has_start_times_and_each_step_its_form(
    copied: tuple[TestClient, Path],
) -> None:
    client, _ = copied
    page = client.get(URL).text
    times = re.findall(r'<span class="step-time">([^<]+)</span>', page)
    # welcome 10 min, ten pitches of 6 + 2, the vote 5, the reveal (no timer), the meetings
    assert times == ["19:00", "19:10", "20:30", "20:35", "20:35"]
    fields = dict(panel(client, "step-1"))
    assert fields["v.steps.1.pitch_minutes"] == "$pitch_minutes"
    assert fields["v.steps.1.title.fr"] == "Les pitchs"
    assert fields["v.steps.1.feedback._on"] == "1"
    vote = dict(panel(client, "step-2"))
    assert vote["v.steps.2.method"] == "single"
    assert vote["v.steps.2.options"].strip() == "projects"


def test_an_edit_changes_only_its_line(copied: tuple[TestClient, Path]) -> None:
    client, path = copied
    before = path.read_text(encoding="utf-8")
    fields = panel(client, "step-1")
    unchanged = post(client, fields, "save")
    assert unchanged.status_code == 303
    assert path.read_text(encoding="utf-8") == before, "a save of nothing rewrites nothing"
    edited = post(client, replaced(fields, v__steps__1__pitch_minutes="4"), "save")
    assert edited.status_code == 303
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("pitch_minutes: $pitch_minutes", "pitch_minutes: 4")
    assert load_format_file(path).steps[1].pitch_minutes == 4  # type: ignore[union-attr]


def test_texts_in_both_languages_and_a_vote_method(copied: tuple[TestClient, Path]) -> None:
    client, path = copied
    post(client, replaced(panel(client, "step-2"), v__steps__2__method="approval"), "save")
    changed = replaced(
        panel(client, "step-2"),
        v__steps__2__title__en="The audience's favourites: pick several",
        v__steps__2__max_choices="3",
    )
    assert post(client, changed, "save").status_code == 303
    fmt = load_format_file(path)
    vote = fmt.steps[2]
    assert vote.method == "approval" and vote.max_choices == 3  # type: ignore[union-attr]
    assert vote.title == {
        "fr": "Coup de cœur du public",
        "en": "The audience's favourites: pick several",
    }
    text = path.read_text(encoding="utf-8")
    assert "# anonymous rating and comment, read only by each holder" in text


def test_a_value_that_breaks_the_format_is_refused_at_its_field(
    copied: tuple[TestClient, Path],
) -> None:
    client, path = copied
    before = path.read_text(encoding="utf-8")
    fields = panel(client, "step-1")
    response = post(client, replaced(fields, v__steps__1__qa_minutes="soon"), "save")
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "Not saved" in page
    field = re.search(r'<input[^>]*name="v.steps.1.qa_minutes"[^>]*>', page)
    assert field and 'value="soon"' in field.group(0) and 'aria-invalid="true"' in field.group(0)
    assert re.search(r'class="field-error"[^>]*>[^<]*number', page)
    assert path.read_text(encoding="utf-8") == before
    # a method its vote lacks the keys for: refused with the language's words
    vote = panel(client, "step-2")
    refused = post(client, replaced(vote, v__steps__2__method="rubric"), "save")
    assert refused.status_code == 400
    assert "a rubric vote needs 'criteria'" in html.unescape(refused.text)
    assert path.read_text(encoding="utf-8") == before


def test_refusals_csrf_stale_and_strangers(copied: tuple[TestClient, Path]) -> None:
    client, path = copied
    before = path.read_text(encoding="utf-8")
    fields = panel(client, "step-1")
    edit = replaced(fields, v__steps__1__pitch_minutes="3")
    forged = [(k, "forged" if k == "csrf" else v) for k, v in edit]
    assert post(client, forged, "save").status_code == 403
    no_token = [(k, v) for k, v in edit if k != "csrf"]
    assert post(client, no_token, "save").status_code == 403
    stale = [(k, "0" * 16 if k == "rev" else v) for k, v in edit]
    conflict = post(client, stale, "save")
    assert conflict.status_code == 409
    assert 'value="3"' in conflict.text, "the edit stays on the page"
    assert path.read_text(encoding="utf-8") == before
    stranger = TestClient(client.app)
    assert stranger.get(URL).status_code == 403
    assert post(stranger, edit, "save").status_code == 403
    assert client.get("/organiser/formats/carrefour-des-possibles/builder").status_code == 404
    assert client.get("/organiser/formats/nope/builder").status_code == 404
    assert post(client, fields, "dup:99").status_code == 400
    assert post(client, fields, "explode:1").status_code == 400
    assert path.read_text(encoding="utf-8") == before


def test_add_move_duplicate_delete(copied: tuple[TestClient, Path]) -> None:
    client, path = copied
    kinds = lambda: [s.kind for s in load_format_file(path).steps]  # noqa: E731
    fields = panel(client, "step-2")
    added = post(client, [*fields, ("kind", "input")], "add")
    assert added.status_code == 303 and "panel=step-3" in added.headers["location"]
    assert kinds() == ["info", "pitch", "vote", "input", "reveal", "match"]
    moved = post(client, panel(client, "step-3"), "up:3")
    assert "panel=step-2" in moved.headers["location"]
    assert kinds() == ["info", "pitch", "input", "vote", "reveal", "match"]
    post(client, panel(client, "step-2"), "down:2")
    assert kinds() == ["info", "pitch", "vote", "input", "reveal", "match"]
    post(client, panel(client, "step-0"), "up:0")  # already first: nothing moves
    assert kinds() == ["info", "pitch", "vote", "input", "reveal", "match"]
    post(client, panel(client, "step-3"), "dup:3")
    fmt = load_format_file(path)
    assert [s.id for s in fmt.steps][3:5] == ["input", "input-2"]
    post(client, panel(client, "step-4"), "del:4")
    assert kinds() == ["info", "pitch", "vote", "input", "reveal", "match"]
    # every kind can be added where the format allows it
    for kind in (
        "info",
        "break",
        "talk",
        "pitch",
        "vote",
        "reveal",
        "groups",
        "rotate",
        "pass",
        "match",
        "use",
    ):
        response = post(client, [*panel(client, "step-3"), ("kind", kind)], "add")
        assert response.status_code == 303, (kind, html.unescape(response.text)[-2000:])
        assert FormatDocument(path.read_text(encoding="utf-8")).steps[4]["kind"] == kind
        load_format_file(path, None, FORMATS)  # and the file passes the checks
    # the vote the reveal shows cannot go: refused with the reason, nothing deleted
    before = path.read_text(encoding="utf-8")
    refused = post(client, panel(client, "step-2"), "del:2")
    assert refused.status_code == 400
    assert "not done: reveal step refers to vote 'favourite'" in html.unescape(refused.text)
    assert path.read_text(encoding="utf-8") == before


def test_a_pass_around_needs_an_input_before_it(copied: tuple[TestClient, Path]) -> None:
    client, path = copied
    before = path.read_text(encoding="utf-8")
    refused = post(client, [*panel(client, "step-0"), ("kind", "pass")], "add")
    assert refused.status_code == 400
    assert "add an input step before a pass-around" in refused.text
    assert path.read_text(encoding="utf-8") == before


def test_header_and_parameters(copied: tuple[TestClient, Path]) -> None:
    client, path = copied
    header = panel(client, "header")
    saved = post(client, replaced(header, v__title__en="Our Carrefour evening"), "save")
    assert saved.status_code == 303
    assert load_format_file(path).title == {
        "fr": "Soirée Carrefour des Possibles",
        "en": "Our Carrefour evening",
    }
    params = panel(client, "parameters")
    post(client, replaced(params, v__parameters__pitch_minutes__default="5"), "save")
    assert load_format_file(path).parameters["pitch_minutes"].default == 5
    bad = post(
        client,
        replaced(panel(client, "parameters"), v__parameters__pitch_minutes__default="50"),
        "save",
    )
    assert bad.status_code == 400 and "maximum" in bad.text
    post(client, [*panel(client, "parameters"), ("param_name", "rounds")], "add_param")
    assert load_format_file(path).parameters["rounds"].default == 5
    post(client, panel(client, "parameters"), "del_param:rounds")
    assert "rounds" not in load_format_file(path).parameters
    in_use = post(client, panel(client, "parameters"), "del_param:pitch_minutes")
    assert in_use.status_code == 400 and "unknown parameter $pitch_minutes" in in_use.text
    bad_name = post(client, [*panel(client, "parameters"), ("param_name", "Bad Name")], "add_param")
    assert bad_name.status_code == 400


def test_htmx_gets_the_region_and_refusals_in_it(copied: tuple[TestClient, Path]) -> None:
    client, _ = copied
    fields = panel(client, "step-1")
    swapped = post(client, fields, "open:step-2", **{"HX-Request": "true"})
    assert swapped.status_code == 200
    assert swapped.text.lstrip().startswith('<form id="builder"')
    assert "<html" not in swapped.text
    assert swapped.headers["HX-Push-Url"] == f"{URL}?panel=step-2"
    refused = post(
        client, replaced(fields, v__steps__1__qa_minutes="x"), "save", **{"HX-Request": "true"}
    )
    assert refused.status_code == 200 and refused.headers["X-Refused"] == "400"
    assert 'aria-invalid="true"' in refused.text


def test_every_shipped_format_opens_and_saves_unchanged(organiser: tuple[TestClient, Path]) -> None:  # noqa: F811
    """The round trip on every shipped format: each panel, posted as shown, writes nothing."""
    client, own = organiser
    csrf = csrf_of(client.get("/organiser").text)
    # (every shipped format goes through the same forms, faster, in test_format_documents.py)
    for source in [
        FORMATS / f"{n}.yaml" for n in ("b2b-matchmaking", "design-sprint-decide", "triz")
    ]:
        client.post(f"/organiser/formats/{source.stem}/copy", data={"csrf": csrf})
        path = own / f"{source.stem}-copy.yaml"
        before = path.read_text(encoding="utf-8")
        model = parse_format(before, path.name, None, None) if "kind: use" not in before else None
        steps = (
            len(load_format_file(path, None, FORMATS).steps) if model else before.count("kind: ")
        )
        url = f"/organiser/formats/{source.stem}-copy/builder"
        names = ["header", "parameters"] + [
            f"step-{i}" for i in range(before.count("\n  - ") and steps)
        ]
        for name in names:
            page = client.get(f"{url}?panel={name}")
            if name.startswith("step-") and f'value="{name}"' not in page.text:
                continue
            fields = form_fields(page.text)
            response = client.post(
                url,
                content=urlencode([*fields, ("action", "save")]),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                follow_redirects=False,
            )
            assert response.status_code == 303, (
                source.name,
                name,
                html.unescape(response.text)[-1500:],
            )
            assert path.read_text(encoding="utf-8") == before, (source.name, name)


def test_history_shows_the_difference_and_goes_back(copied: tuple[TestClient, Path]) -> None:
    client, path = copied
    first = path.read_text(encoding="utf-8")
    empty = client.get(f"/organiser/formats/{COPY}/history").text
    assert "No earlier version yet" in empty
    post(client, replaced(panel(client, "step-1"), v__steps__1__pitch_minutes="4"), "save")
    post(client, replaced(panel(client, "step-1"), v__steps__1__qa_minutes="1"), "save")
    latest = path.read_text(encoding="utf-8")
    page = html.unescape(client.get(f"/organiser/formats/{COPY}/history").text)
    assert page.count("Go back to version") == 2
    assert '<span class="del">-    qa_minutes: $qa_minutes</span>' in page
    assert '<span class="add">+    qa_minutes: 1</span>' in page
    oldest = html.unescape(client.get(f"/organiser/formats/{COPY}/history?version=1").text)
    assert '<span class="del">-    pitch_minutes: $pitch_minutes</span>' in oldest
    csrf = csrf_of(page)
    assert (
        client.post(
            f"/organiser/formats/{COPY}/history", data={"csrf": "forged", "version": "1"}
        ).status_code
        == 400
    )
    assert path.read_text(encoding="utf-8") == latest
    missing = client.post(f"/organiser/formats/{COPY}/history", data={"csrf": csrf, "version": "9"})
    assert missing.status_code == 404
    back = client.post(
        f"/organiser/formats/{COPY}/history",
        data={"csrf": csrf, "version": "1"},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert path.read_text(encoding="utf-8") == first
    # going back is a save too: the version it replaced is kept
    after = html.unescape(client.get(f"/organiser/formats/{COPY}/history").text)
    assert after.count("Go back to version") == 3
    assert client.get(f"/organiser/formats/{COPY}.yaml").text == first


def test_import_checks_the_file_and_never_runs_it(organiser: tuple[TestClient, Path]) -> None:  # noqa: F811
    client, own = organiser
    csrf = csrf_of(client.get("/organiser").text)
    source = (FORMATS / "world-cafe.yaml").read_text(encoding="utf-8")

    def send(name: str, data: bytes, token: str = csrf) -> object:
        return client.post(
            "/organiser/import",
            data={"csrf": token},
            files={"file": (name, data, "application/yaml")},
            follow_redirects=False,
        )

    imported = send("their-cafe.yaml", source.encode())
    # its id is taken by the shipped format: the copy gets a free one
    assert imported.status_code == 303
    assert imported.headers["location"] == "/organiser/formats/world-cafe-2/builder"
    assert (own / "world-cafe-2.yaml").read_text(encoding="utf-8") == source.replace(
        "id: world-cafe", "id: world-cafe-2", 1
    )
    broken = source.replace("kind: rotate", "kind: rotat", 1)
    step = broken.splitlines().index("    kind: rotat")  # the line before: "  - id: …"
    refused = send("broken.yaml", broken.encode())
    assert refused.status_code == 400
    assert f"broken.yaml:{step}:5: unknown step kind 'rotat'" in html.unescape(refused.text)
    executed = own / "executed"
    hostile = f"!!python/object/apply:os.system ['touch {executed}']\n".encode()
    assert send("hostile.yaml", hostile).status_code == 400
    assert not executed.exists()
    assert send("big.yaml", b"#" * (256 * 1024 + 1)).status_code == 400
    assert send("latin1.yaml", "title: é".encode("latin-1")).status_code == 400
    assert send("cafe.yaml", source.encode(), token="forged").status_code == 400
    assert sorted(p.name for p in own.glob("*.yaml")) == ["world-cafe-2.yaml"]


def test_a_new_method_shows_its_keys_and_drops_the_old_ones(
    copied: tuple[TestClient, Path],
) -> None:
    client, path = copied
    single = dict(panel(client, "step-2"))
    assert "v.steps.2.budget" not in single and "v.steps.2.max_choices" not in single
    post(client, replaced(panel(client, "step-2"), v__steps__2__method="dots"), "save")
    dots = panel(client, "step-2")
    assert "v.steps.2.budget" in dict(dots) and "v.steps.2.max_choices" not in dict(dots)
    post(client, replaced(dots, v__steps__2__budget="5"), "save")
    assert load_format_file(path).steps[2].budget == 5  # type: ignore[union-attr]
    # to approval: the budget means nothing there, and goes with the old method
    response = post(
        client, replaced(panel(client, "step-2"), v__steps__2__method="approval"), "save"
    )
    assert response.status_code == 303
    vote = load_format_file(path).steps[2]
    assert vote.method == "approval" and vote.budget is None  # type: ignore[union-attr]
    assert "budget" not in path.read_text(encoding="utf-8")


def test_the_text_editor_numbers_lines_and_marks_the_bad_ones(
    copied: tuple[TestClient, Path],
) -> None:
    client, path = copied
    editor = client.get(f"/organiser/formats/{COPY}/edit").text
    source = path.read_text(encoding="utf-8")
    assert f"<span>{source.count(chr(10)) + 1}</span></pre>" in editor
    assert 'aria-current="page">Text (YAML)' in editor and f"{URL}" in editor
    broken = source.replace("    lineup: hidden\n", "    lineup: hiden\n", 1)
    line = broken.splitlines().index("    lineup: hiden") + 1
    response = client.post(
        f"/organiser/formats/{COPY}/edit",
        data={"csrf": csrf_of(editor), "source": broken, "action": "save"},
    )
    assert response.status_code == 400
    assert f'<span class="bad">{line}</span>' in response.text
    assert f'data-line="{line}" data-column="5"' in response.text  # at the key
    assert response.text.count('class="bad"') == 1
    assert path.read_text(encoding="utf-8") == source
