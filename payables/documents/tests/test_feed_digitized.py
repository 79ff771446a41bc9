"""The digitized feed: documents whose reading ended, in commit order, page by page."""

from __future__ import annotations

from payables.documents.tests.conftest import location, multipart


def _send(api, tasks_on_commit, *files: tuple[str, bytes], userdata: str = "") -> list[dict]:
    with tasks_on_commit():
        answer = multipart(api, list(files), userdata=userdata)
    assert answer.status_code == 202, answer.content
    return answer.json()["documents"]


def test_the_feed_gives_fields_userdata_and_invoice_in_the_order_read(api, ubl, tasks_on_commit):
    [read] = _send(api, tasks_on_commit, ("a.xml", ubl), userdata="ref-1")
    [failed] = _send(api, tasks_on_commit, ("b.bin", b"junk"), userdata="ref-2")

    page = api.get("/feeds/digitized").json()

    assert [d["id"] for d in page["items"]] == [read["id"], failed["id"]]
    first, second = page["items"]
    assert (first["state"], first["userdata"]) == ("invoice_created", "ref-1")
    assert first["invoice_id"] and first["fields"]["invoice_number"]["confidence"] == 1.0
    assert (second["state"], second["failure_reason"], second["userdata"]) == (
        "failed",
        "unsupported_format",
        "ref-2",
    )
    assert first["digitized_at"] < second["digitized_at"]
    assert page["next"] is None and page["cursor"] == second["cursor"]


def test_documents_not_read_yet_are_not_in_the_feed(api, ubl):
    location(api)  # awaiting its upload
    multipart(api, [("a.xml", ubl)])  # uploaded; its task has not run

    assert api.get("/feeds/digitized").json()["items"] == []


def test_pages_follow_next_without_skipping_or_repeating(api, tasks_on_commit):
    sent = [
        _send(api, tasks_on_commit, (f"{n}.bin", f"junk {n}".encode()))[0]["id"] for n in range(7)
    ]

    seen, cursor, pages = [], None, 0
    while True:
        page = api.get("/feeds/digitized", {"limit": 3, **({"from": cursor} if cursor else {})})
        page = page.json()
        seen += [d["id"] for d in page["items"]]
        pages += 1
        if page["next"] is None:
            break
        cursor = page["next"]

    assert seen == sent and pages == 3
    more = api.get("/feeds/digitized", {"from": page["cursor"]}).json()
    assert more["items"] == [] and more["next"] is None


def test_a_cursor_the_feed_never_gave_is_refused(api):
    answer = api.get("/feeds/digitized", {"from": "bm90LWEtY3Vyc29y"})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "from"]


def test_another_companys_documents_are_not_in_the_feed(api, other_api, ubl, tasks_on_commit):
    _send(api, tasks_on_commit, ("a.xml", ubl))

    assert other_api.get("/feeds/digitized").json()["items"] == []
