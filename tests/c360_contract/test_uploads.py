"""Whether a snapshot's orders carry a time of day, read from its manifest."""

from __future__ import annotations

from pathlib import Path

from c360_contract.uploads import TIMES_OF_DAY, UPLOAD_SECTION, JobOrder, has_times_of_day


def upload(date_format: str, **flag: bool) -> dict[str, object]:
    return {UPLOAD_SECTION: {"spec": {"date_format": date_format}, **flag}}


def test_the_retailers_exports_always_have_times() -> None:
    assert has_times_of_day({"snapshot_id": "s", "sources": {"orders": {}}})


def test_an_uploads_run_says_whether_it_found_a_time() -> None:
    # The flag wins over the layout: a date-time column of zeros (a spreadsheet's) has no time.
    assert not has_times_of_day(upload("%Y-%m-%d %H:%M:%S", **{TIMES_OF_DAY: False}))
    assert has_times_of_day(upload("%Y-%m-%d %H:%M", **{TIMES_OF_DAY: True}))


def test_an_upload_published_before_the_flag_goes_by_its_date_layout() -> None:
    assert not has_times_of_day(upload("%d/%m/%Y"))
    assert not has_times_of_day(upload("%Y%m%d"))
    assert has_times_of_day(upload("%d/%m/%Y %H:%M"))
    assert has_times_of_day(upload("%Y-%m-%dT%H:%M:%S"))


def test_a_job_order_is_one_line_read_back_whole() -> None:
    order = JobOrder(Path("/s/uploads/u 1/j"), Path("/s/workspaces/u 1/w"), "sc://127.0.0.1:15002")
    line = order.line()
    assert line.endswith("\n")
    assert line.count("\n") == 1
    assert JobOrder.parse(line) == order


def test_an_empty_line_is_no_order() -> None:
    assert JobOrder.parse("") is None
    assert JobOrder.parse("\n") is None
