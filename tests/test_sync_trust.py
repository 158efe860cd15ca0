"""The station's side of issue 10: refusals it keeps and shows, photos it skips, answers cut
inside the headers it retries (findings 11-13), print files only its owner reads.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from typing import Any

import requests
from answer_proxy import AnswerProxy
from plugin_central import STAFF
from test_cli_flow import as_json, run
from test_sync_client import synced  # noqa: F401  (fixture)

from foundation.contract.events import PhotoLinked
from foundation.scrub import scrub
from station.services.demo_data import demo_export_rows, make_placeholder_portrait
from station.store import ledger
from station.sync.client import CentralClient
from station.sync.engine import client_for, run_sync
from station.sync.status import sync_status

ZAPOPAN, TEPA = "14DPR9901D", "14EPR9902E"


def test_out_of_scope_photos_are_skipped_and_reported_the_rest_go_up(
        synced: Any) -> None:  # noqa: F811
    """Finding 11: a photo of another school's student (imported by mistake) used to stop
    every upload at the first 403; now central refuses that link, says why, and the
    station's own new photo still goes up."""
    station, central = synced
    assert run_sync(station, client_for(station)).ok
    stranger = next(a for a in demo_export_rows(students=30)[1] if a["cct"] == TEPA)
    own = next(a for a in demo_export_rows(students=30)[1] if a["cct"] == ZAPOPAN)
    theirs = station.photos.add(make_placeholder_portrait("OTRA ESCUELA", stranger["curp"],
                                                          size=(60, 75)), ext="jpg")
    mine = station.photos.add(make_placeholder_portrait("PROPIA", own["curp"] + "x",
                                                        size=(60, 75)), ext="jpg")
    with station.db.write() as conn:
        ledger.append_event(conn, PhotoLinked(curp=stranger["curp"], photo_hash=theirs))
        assert ledger.set_photo(conn, own["curp"], mine)
    report = run_sync(station, client_for(station))
    assert report.ok, report.errors
    assert report.photos_up == 1
    assert [(r["kind"], r["code"]) for r in report.events_refused] == [
        ("photo_linked", "student-out-of-scope")]
    assert "no aplicó el evento" in report.describe()
    status = sync_status(station)
    assert [r["code"] for r in status.events_refused] == ["student-out-of-scope"]
    assert any("no aplicó el evento" in n for n in status.notices)
    assert stranger["curp"] not in " ".join(status.notices)
    found = requests.get(f"{central.url}/api/v1/admin/cards", headers=STAFF, timeout=10,
                         params={"curp": own["curp"]})
    assert found.status_code == 200
    # Central holds the station's own photo, not the stranger's.
    assert requests.get(f"{central.url}/api/v1/sync/photos/{theirs}", timeout=10
                        ).status_code == 401  # unsigned; the signed pull below decides
    pulled = client_for(station).call("GET", f"/api/v1/sync/photos/{mine}")
    assert hashlib.sha256(pulled.content).hexdigest() == mine


class HeaderCutProxy(AnswerProxy):
    """Forwards to central; the first ``cuts`` answers are cut in the middle of their
    headers (central did the work; the answer is lost on the way)."""

    def __init__(self, upstream: str, cuts: int) -> None:
        self.cuts = cuts
        super().__init__(upstream)

    def change(self, request: bytes, answer: bytes) -> bytes:
        if self.cuts > 0:
            self.cuts -= 1
            return answer[:answer.index(b"\r\n\r\n") // 2]
        return answer


def test_an_answer_cut_inside_its_headers_is_retried(synced: Any) -> None:  # noqa: F811
    """Finding 12: http.client takes the end of the stream inside the headers for their end,
    so the cut answer looked like an empty 200; the client now sees it has no framing and
    asks again."""
    station, central = synced
    proxy = HeaderCutProxy(central.url, cuts=2)
    try:
        client = CentralClient(f"http://127.0.0.1:{proxy.port}", key=station.key,
                               max_delay_s=20)
        hello = client.get_json("/api/v1/sync/hello")
        assert hello["station_id"] == "EST-00001"
        assert proxy.cuts == 0
        client.close()
    finally:
        proxy.close()


def test_print_files_are_private(prepared_station: Any, tmp_path: Path) -> None:
    """Finding 13: the ``--pdf`` output and the sheet PDFs carry minors' names and photos."""
    station, cct, _curps = prepared_station
    data = station.data_dir
    station.close()
    out = tmp_path / "lote.pdf"
    out.write_bytes(b"old")
    out.chmod(0o644)  # an existing file keeps no wider mode either
    answer = as_json(run(data, "print", "--school", cct, "--all-pending", "--pdf", str(out),
                         "--json"))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    sheets = [Path(s["pdf"]) for s in answer["sheets"]]
    assert sheets and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in sheets)


def test_problem_report_scrubbing_finds_curps_written_with_dashes() -> None:
    """Finding 13: a CURP typed in groups still leaves the problem report."""
    text = "falló con GOXL-150826-HJCNXN-C2, goxl 150826 hjcnxnc2 y GOXL150826HJCNXNC2"
    assert scrub(text) == "falló con [CURP], [CURP] y [CURP]"
    assert scrub("folio 1000123, CCT 14DPR9901D") == "folio 1000123, CCT 14DPR9901D"
