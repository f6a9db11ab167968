"""What the grader promises about scores: a cell earns what its checks or its
run earned and never more, a skipped or unscored cell is not full marks,
checks decide their verdict the same way every time, a row's total is the
sum of its cells, the late policy applies at the deadline's edge, and the
CSV files, the gradebook and the pass rates carry exactly those numbers,
with spreadsheet formulas neutralised."""

from __future__ import annotations

import codecs
import csv
import json
import time
import warnings
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from course_tools import grade, report
from course_tools.checks import (
    Check,
    Fail,
    Reference,
    StudentError,
    check,
    expect,
    expect_close,
    expect_equal,
    run_check,
    seed_for,
    validate_checks,
)
from course_tools.checks import (
    Result as CheckResult,
)
from course_tools.execute import Outcome, Run, score, validate
from course_tools.grade import Result, _apply_late, _safe_csv, _write_outputs
from course_tools.integrity import Cell, Integrity
from course_tools.late import LatePolicy
from course_tools.sandbox import CellFailure, ProbeError


def _cell(kind, gid=None, points=0.0, source="x = 1", visible="x = 1"):
    return Cell(kind, "code", source, gid, points, visible)


def _passed(name, points):
    return CheckResult(name, points, True)


def _failed(name, points, reason):
    return CheckResult(name, points, False, reason)


def _codec(name):
    """The codec an encoding name means (names are case-insensitive)."""
    return None if name is None else codecs.lookup(name).name


# --------------------------------------------------------------- score()

def test_a_test_cell_with_checks_earns_only_the_points_of_passed_checks():
    plan = [_cell("test", "t", 3.0)]
    run = Run("ok", checks=[_passed("a", 1.0), _failed("b", 2.0, "b: wrong")])
    scores, manual, failures = score(plan, [run])
    assert scores == {"t": (1.0, 3.0)} and manual is False
    assert type(scores["t"][0]) is float
    assert failures == ["t: b: wrong"]


def test_checks_that_all_pass_give_full_marks_and_no_failure():
    plan = [_cell("test", "t", 3.0)]
    run = Run("ok", checks=[_passed("a", 1.0), _passed("b", 2.0)])
    assert score(plan, [run]) == ({"t": (3.0, 3.0)}, False, [])


def test_a_cell_whose_checks_did_not_run_is_not_full_marks():
    # the cell ran without an error, but no check passed: zero, not 3
    plan = [_cell("test", "t", 3.0)]
    scores, _, failures = score(plan, [Run("ok", checks=[])])
    assert scores["t"] == (0.0, 3.0) and type(scores["t"][0]) is float
    assert failures == []


def test_check_reasons_are_cut_at_300_characters():
    plan = [_cell("test", "t", 1.0)]
    run = Run("failed", reason="stopped",
              checks=[_failed("a", 1.0, "r" * 400)])
    scores, _, failures = score(plan, [run])
    assert scores["t"] == (0.0, 1.0)
    assert failures == ["t: " + "r" * 300]


def test_each_test_cell_is_scored_once_from_its_own_checks():
    plan = [_cell("test", "t1", 2.0), _cell("test", "t2", 2.0)]
    runs = [Run("ok", checks=[_passed("a", 2.0)]),
            Run("ok", checks=[_failed("b", 2.0, "b: no")])]
    scores, _, failures = score(plan, runs)
    assert scores == {"t1": (2.0, 2.0), "t2": (0.0, 2.0)}
    assert sum(s for s, _ in scores.values()) == 2.0
    assert failures == ["t2: b: no"]


def test_a_repeated_test_cell_is_not_paid_twice():
    plan = [_cell("test", "t", 2.0), _cell("test", "t", 2.0)]
    runs = [Run("ok", checks=[_passed("a", 2.0)])] * 2
    scores, _, _ = score(plan, runs)
    assert scores == {"t": (2.0, 2.0)}


def test_without_checks_a_cell_that_ran_earns_its_points():
    plan = [_cell("test", "t", 2.5)]
    assert score(plan, [Run("ok")]) == ({"t": (2.5, 2.5)}, False, [])


@pytest.mark.parametrize("run, why", [
    (Run("skipped"), "t: failed"),
    (Run("error", ename="NameError"), "t: NameError"),
    (Run("error", ename="ValueError", evalue="bad x\nsecond line"),
     "t: ValueError: bad x"),
    (Run("error", evalue="just text"), "t: just text"),
    (Run("failed", reason="timed out\nmore", ename="Stopped"),
     "t: timed out"),
    (Run("error", ename="E", evalue="v" * 300), "t: E: " + "v" * 197),
    (Run("error", ename="XError", evalue="bad X"), "t: XError: bad X"),
])
def test_a_cell_that_did_not_run_cleanly_scores_zero_and_says_why(run, why):
    scores, manual, failures = score([_cell("test", "t", 2.0)], [run])
    assert scores == {"t": (0.0, 2.0)} and manual is False
    assert failures == [why]


def test_written_answers_zero_when_blank_else_for_a_human():
    blank = Cell("written", "markdown", " YOUR ANSWER ", "w1", 2.0,
                 "YOUR ANSWER")
    typed = Cell("written", "markdown", "Because.", "w2", 3.0, "YOUR ANSWER")
    scores, manual, failures = score([blank], [Run()])
    assert scores == {"w1": (0.0, 2.0)} and manual is False
    scores, manual, failures = score([blank, typed], [Run(), Run()])
    assert scores == {"w1": (0.0, 2.0), "w2": (None, 3.0)} and manual is True
    assert failures == []


def test_ungraded_cells_get_no_score_but_their_failures_are_reported():
    plan = [_cell("answer", "a1", 0.0), _cell("extra"), _cell("locked", "l1"),
            _cell("test", "t", 1.0), _cell("canary")]
    runs = [Run("failed", reason="timed out"), Run("failed", reason="killed"),
            Run("ok"), Run("failed", reason="stopped"),
            Run("failed", reason="gone")]
    scores, _, failures = score(plan, runs)
    assert scores == {"t": (0.0, 1.0)}
    # a failed test cell is reported once, a failed canary not at all
    assert failures == ["a1: timed out", "an added cell: killed",
                        "t: stopped"]


def test_failures_of_earlier_cells_are_kept_with_the_checks_reasons():
    plan = [_cell("answer", "a1"), _cell("test", "t", 2.0)]
    runs = [Run("failed", reason="timed out"),
            Run("ok", checks=[_failed("c", 2.0, "c: wrong")])]
    assert score(plan, runs)[2] == ["a1: timed out", "t: c: wrong"]


def test_cells_after_a_cut_off_are_not_scored():
    plan = [_cell("test", "t1", 1.0), _cell("test", "t2", 1.0)]
    scores, _, _ = score(plan, [Run("ok")])
    assert scores == {"t1": (1.0, 1.0)}
    with pytest.raises(ValueError, match=r"missing \['t2'\]"):
        validate(scores, {"t1": 1.0, "t2": 1.0})


# ------------------------------------------------------------ validate()

GRADED = {"a": 1.0, "b": 2.0}


@pytest.mark.parametrize("scores", [
    {"a": (0.0, 1.0), "b": (2.0, 2.0)},
    {"a": (1.0, 1.0), "b": (None, 2.0)},
    {"a": (0.5, 1.0), "b": (0, 2.0)},
])
def test_validate_accepts_scores_from_zero_to_max_and_none(scores):
    assert validate(scores, GRADED) is None


@pytest.mark.parametrize("scores, message", [
    ({"a": (1.0, 1.0)}, "graded cells expected ['a', 'b']; missing ['b'], "
     "unexpected []"),
    ({"a": (1.0, 1.0), "b": (0.0, 2.0), "c": (0.0, 1.0)},
     "graded cells expected ['a', 'b']; missing [], unexpected ['c']"),
    ({"a": (-0.0001, 1.0), "b": (0.0, 2.0)},
     "cell a: score must be in [0, 1.0]; got -0.0001"),
    ({"a": (1.0, 1.0), "b": (2.0000001, 2.0)},
     "cell b: score must be in [0, 2.0]; got 2.0000001"),
    ({"a": (float("inf"), float("inf")), "b": (0.0, 2.0)},
     "cell a: max score must be 1.0; got inf"),
    ({"a": (float("nan"), 1.0), "b": (0.0, 2.0)},
     "cell a: score must be in [0, 1.0]; got nan"),
    ({"a": (1.0, 1.0), "b": (0.0, 1.0)},
     "cell b: max score must be 2.0; got 1.0"),
])
def test_validate_refuses_and_says_what_was_expected(scores, message):
    with pytest.raises(ValueError) as info:
        validate(scores, GRADED)
    assert str(info.value) == message


# ---------------------------------------------------------- check(), expect

def test_check_registers_the_function_with_float_points():
    def softmax_rows(probe, ref, rng):
        return None

    assert check("test_softmax", 2)(softmax_rows) is softmax_rows
    got = softmax_rows.__check__
    assert got == Check("test_softmax", 2.0, "softmax_rows", softmax_rows)
    assert type(got.points) is float and got.fn is softmax_rows


@pytest.mark.parametrize("cell, points, kind", [
    ("", 1.0, TypeError), (None, 1.0, TypeError), (3, 1.0, TypeError),
    ("t", 0, ValueError), ("t", -1.0, ValueError), ("t", "1", ValueError),
])
def test_check_refuses_a_bad_cell_or_points(cell, points, kind):
    with pytest.raises(kind, match=r"^check: '(cell|points)' must be "):
        check(cell, points)


def test_check_accepts_small_positive_points():
    assert check("t", 0.25)(lambda p, r, g: None).__check__.points == 0.25


def test_expect_fails_with_exactly_the_reason():
    expect(True, "unused")
    expect([0], "a non-empty list is true")
    with pytest.raises(Fail) as info:
        expect(0, "the loss must fall")
    assert str(info.value) == "the loss must fall"
    with pytest.raises(Fail):
        expect([], "empty")


# ----------------------------------------------------------- expect_close

def _fail_message(fn, *args, **kwargs) -> str:
    with pytest.raises(Fail) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_close_uses_rtol_relative_to_the_reference_and_no_atol():
    want = np.array([1.0, -2.0, 4.0])
    expect_close(want * (1 + 0.9e-7), want)
    expect_close(np.array([0.0, 0.0]), np.array([0.0, 0.0]))
    assert _fail_message(expect_close, want * (1 + 1.1e-7), want) == (
        "the result: 3 of 3 values differ from the reference solution's "
        "(tolerance rtol=1e-07, atol=0)")
    # atol is 0 by default: any value off a zero reference fails
    assert _fail_message(expect_close, np.array([1e-300]),
                         np.array([0.0])) == (
        "the result: the value differs from the reference solution's "
        "(tolerance rtol=1e-07, atol=0)")
    expect_close(np.array([0.04]), np.array([0.0]), atol=0.05)
    expect_close(np.array([1.4]), np.array([1.0]), rtol=0.5)


def test_close_names_the_count_the_nonfinite_values_and_the_hint():
    want = np.array([1.0, 2.0, np.nan, np.inf])
    expect_close(want.copy(), want)          # NaN and inf where they belong
    got = np.array([np.nan, 2.5, np.nan, np.inf])
    assert _fail_message(expect_close, got, want, what="softmax(x)",
                         hint="rows", rtol=1e-3, atol=1e-6) == (
        "softmax(x): 2 of 4 values differ from the reference solution's, "
        "1 of them not finite (nan or inf) (tolerance rtol=0.001, "
        "atol=1e-06) (rows)")


def test_close_says_the_value_differs_for_one_and_counts_from_two():
    assert _fail_message(expect_close, np.array([1.0, 5.0]),
                         np.array([2.0, 6.0])).startswith(
        "the result: 2 of 2 values differ from")
    assert _fail_message(expect_close, 1.0, 2.0).startswith(
        "the result: the value differs from")


def test_close_compares_huge_values_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _fail_message(expect_close, np.array([1e308]),
                             np.array([-1e308])).startswith(
            "the result: the value differs")


def test_close_checks_the_dtype_of_arrays_only_when_asked():
    want = np.ones(2)
    assert _fail_message(expect_close, np.ones(2, dtype=np.float32),
                         want) == ("the result: has dtype float32; expected "
                                   "float64")
    expect_close(np.ones(2, dtype=np.float32), want, dtype=False)
    expect_close(np.ones(2, dtype=np.int64), want, dtype=False)
    expect_close(3, 3.0)                     # a scalar: no dtype to compare
    expect_close(np.float32(2.0), 2.0)


def test_close_refuses_what_is_not_numbers():
    assert _fail_message(expect_close, np.array(["a", "b"]), np.zeros(2),
                         dtype=False) == ("the result: holds <U1 values, not "
                                          "numbers")
    expect_close(np.array([True, False]), np.array([True, False]))


@pytest.mark.parametrize("got, message", [
    (True, "loss: expected one number; got a bool (h)"),
    ([1.0], "loss: expected one number; got a list (h)"),
    (np.ones(1), "loss: expected one number; got an array of shape (1,) (h)"),
    ("1.0", "loss: expected one number; got a str (h)"),
])
def test_a_scalar_reference_needs_one_number(got, message):
    assert _fail_message(expect_close, got, 1.0, what="loss",
                         hint="h") == message


def test_an_array_reference_needs_an_array_of_its_shape():
    want = np.zeros((2, 3))
    assert _fail_message(expect_close, [[0.0] * 3] * 2, want, what="W") == \
        "W: expected an array of shape (2, 3); got a list"
    assert _fail_message(expect_close, np.zeros((3, 2)), want, what="W") == \
        "W: has shape (3, 2); expected (2, 3)"
    expect_close(np.zeros((2, 3)), [[0.0] * 3] * 2)
    expect_close(np.array(2.0), 2.0)
    expect_close(np.int64(2), 2.0)


# ----------------------------------------------------------- expect_equal

def test_equal_arrays_need_the_same_dtype_and_every_value():
    expect_equal(np.array([1, 2, 3]), np.array([1, 2, 3]))
    expect_equal(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    expect_equal(np.array(["relu", "tanh"]), np.array(["relu", "tanh"]))
    expect_equal(np.array([1, 2]), [1, 2])
    assert _fail_message(expect_equal, np.array([1, 5, 7]),
                         np.array([1, 2, 3]), what="labels", hint="h") == (
        "labels: 2 of 3 values differ from the reference solution's (h)")
    assert _fail_message(expect_equal, np.array([1.0, 2.0]),
                         np.array([1, 2])) == (
        "the result: has dtype float64; expected int64")
    assert _fail_message(expect_equal, [1, 2], np.array([1, 2])) == (
        "the result: expected an array of shape (2,); got a list")
    assert _fail_message(expect_equal, np.ones(3), np.ones(2), what="W",
                         hint="h") == "W: has shape (3,); expected (2,) (h)"


def test_equal_plain_data_by_type_then_value():
    expect_equal(("relu", 3), ("relu", 3))
    expect_equal(3, 3.0)                    # numbers compare across int/float
    expect_equal(2.0, 2)
    assert _fail_message(expect_equal, True, 1, what="n") == \
        "n: expected a int; got a bool"
    assert _fail_message(expect_equal, ["relu"], ("relu",)) == \
        "the result: expected a tuple; got a list"
    assert _fail_message(expect_equal, "tanh", "relu", hint="h") == \
        "the result: differs from the reference solution's (h)"
    assert _fail_message(expect_equal, 3, 4.0) == \
        "the result: differs from the reference solution's"


# -------------------------------------------------------------- run_check

def _item(fn, name="softmax_rows", points=2.0):
    return Check("test_softmax", points, name, fn)


def test_a_check_that_returns_passes_with_its_points():
    got = run_check(_item(lambda probe, ref, rng: time.sleep(0.01)), None,
                    None, seed=5)
    assert (got.name, got.points, got.passed, got.reason) == \
        ("softmax_rows", 2.0, True, "")
    assert 0.01 <= got.seconds < 30.0


@pytest.mark.parametrize("error, reason", [
    (Fail("W: has shape (2,)"), "W: has shape (2,)"),
    (Fail(), "check softmax_rows failed"),
    (StudentError("ValueError", "bad x"),
     "softmax_rows: your code raised ValueError: bad x"),
    (StudentError("KeyError", ""), "softmax_rows: your code raised KeyError"),
    (ProbeError("the answer was not data"),
     "softmax_rows: the answer was not data"),
    (KeyError("W"), "softmax_rows: the answer could not be checked "
     "(KeyError while reading it)"),
])
def test_a_check_that_raises_fails_with_a_reason_and_its_points(error,
                                                                 reason):
    def boom(probe, ref, rng):
        time.sleep(0.01)
        raise error

    got = run_check(_item(boom), None, None, seed=5)
    assert (got.name, got.points, got.passed, got.reason) == \
        ("softmax_rows", 2.0, False, reason)
    assert 0.01 <= got.seconds < 30.0


def test_a_stopped_sandbox_propagates_out_of_a_check():
    def stopped(probe, ref, rng):
        raise CellFailure("the sandbox timed out")

    with pytest.raises(CellFailure, match="timed out"):
        run_check(_item(stopped), None, None, seed=5)


def _draws(seed, name):
    seen = []
    run_check(_item(lambda p, r, rng: seen.append(rng.integers(1 << 62, size=3)),
                    name=name), None, None, seed=seed)
    return seen[0].tolist()


def test_the_checks_randomness_follows_the_seed_and_the_check_name():
    assert _draws(11, "a") == _draws(11, "a")
    assert _draws(11, "a") != _draws(12, "a")
    assert _draws(11, "a") != _draws(11, "b")
    # the stream is the documented one: the seed, then the name's CRC-32
    want = np.random.default_rng([11, zlib.crc32(b"a")]).integers(1 << 62,
                                                                    size=3)
    assert _draws(11, "a") == want.tolist()


def test_each_check_gets_a_fresh_view_of_the_reference():
    ref = Reference({"relu": "the function"})
    seen = []
    item = _item(lambda probe, r, rng: seen.append((probe, r)))
    run_check(item, "the probe", ref, seed=1)
    probe, given = seen[0]
    assert probe == "the probe"
    assert isinstance(given, Reference) and given is not ref
    assert given.relu == "the function"
    other = object()
    run_check(item, None, other, seed=1)
    assert seen[1][1] is other


# -------------------------------------------------------- validate_checks

def _checks(**points):
    return {cell: [Check(cell, p, f"c{i}", print) for i, p in enumerate(ps)]
            for cell, ps in points.items()}


def test_checks_must_add_up_to_the_cell_and_cover_every_test_cell():
    graded = {"t1": 3.0, "t2": 1.0}
    validate_checks(_checks(t1=[1.0, 2.0], t2=[1.0]), graded, {"t1", "t2"},
                    "x")
    # float sums within 1e-9 count as equal, 1e-9 itself included
    validate_checks(_checks(t1=[0.1, 0.2, 2.7], t2=[1.0]), graded,
                    {"t1", "t2"}, "x")
    validate_checks(_checks(t1=[1e-9]), {"t1": 2e-9}, {"t1"}, "x")


@pytest.mark.parametrize("found, message", [
    (_checks(t1=[1.0, 2.0], t2=[1.0], t3=[1.0]),
     "x/checks.py: checks for ['t3'], which are not test cells; expected "
     "grade ids among ['t1', 't2']"),
    (_checks(t1=[3.0]),
     "x/checks.py: test cells ['t2'] have no check; every test cell needs at "
     "least one"),
    (_checks(t1=[1.0, 2.0], t2=[0.5]),
     "x/checks.py: the checks of 't2' are worth 0.5 points; the cell is "
     "worth 1"),
    (_checks(t1=[1.0, 2.0], t2=[1.0, 1e-6]),
     "x/checks.py: the checks of 't2' are worth 1 points; the cell is "
     "worth 1"),
])
def test_checks_that_do_not_fit_are_refused(found, message):
    with pytest.raises(ValueError) as info:
        validate_checks(found, {"t1": 3.0, "t2": 1.0}, {"t1", "t2"},
                        "x/checks.py")
    assert str(info.value) == message


# ----------------------------------------------------------------- CSV

@pytest.mark.parametrize("value, safe", [
    ("\rx", "'\rx"), ("", ""), (-5, "'-5"), (3, "3"), ("a=b", "a=b"),
    ("=", "'="), (" =1", " =1"),
])
def test_only_a_leading_formula_character_is_neutralised(value, safe):
    assert _safe_csv(value) == safe


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_grades_and_cells_csv_carry_the_scores_sorted_and_safe(tmp_path):
    results = [
        Result("zoe", "02-optimizers", "graded", 7.5, 10.0, False, True,
               "=HYPERLINK(1)", {"t2": (2.0, 2.0), "t1": (5.5, 6.0),
                                 "w": (None, 2.0)},
               {"tamper": ["x"]}),
        Result("=cmd", "01-foundations", "missing", 0.0, 4.0),
        Result("amy", "02-optimizers", "graded", 10.0, 10.0, True, False,
               "", {"t1": (6.0, 6.0)}),
        Result("amy", "01-foundations", "error", 0.0, 4.0, reason="-1 + 2"),
    ]
    _write_outputs(tmp_path, results, "the log\n")
    assert _rows(tmp_path / "grades.csv") == [
        ["student_id", "assignment", "status", "score", "max_score",
         "needs_manual_grade", "flagged", "reason"],
        ["'=cmd", "01-foundations", "missing", "0", "4", "false", "false",
         ""],
        ["amy", "01-foundations", "error", "0", "4", "false", "false",
         "'-1 + 2"],
        ["amy", "02-optimizers", "graded", "10", "10", "true", "false", ""],
        ["zoe", "02-optimizers", "graded", "7.5", "10", "false", "true",
         "'=HYPERLINK(1)"],
    ]
    assert _rows(tmp_path / "cells.csv") == [
        ["student_id", "assignment", "cell", "score", "max_score"],
        ["amy", "02-optimizers", "t1", "6", "6"],
        ["zoe", "02-optimizers", "t1", "5.5", "6"],
        ["zoe", "02-optimizers", "t2", "2", "2"],
        ["zoe", "02-optimizers", "w", "", "2"],
    ]
    text = (tmp_path / "integrity.json").read_text()
    # one space of indent, keys sorted, so re-grades diff line by line
    assert text.startswith('{\n "=cmd/01-foundations": {\n  "flagged": false,'
                           '\n  "status": "missing"\n },')
    assert text.endswith('"zoe/02-optimizers": {\n  "flagged": true,\n  '
                         '"status": "graded",\n  "tamper": [\n   "x"\n  ]\n }\n}')
    integrity = json.loads(text)
    assert list(integrity) == ["=cmd/01-foundations", "amy/01-foundations",
                               "amy/02-optimizers", "zoe/02-optimizers"]
    assert integrity["zoe/02-optimizers"] == {
        "status": "graded", "flagged": True, "tamper": ["x"]}
    assert integrity["amy/01-foundations"] == {"status": "error",
                                               "flagged": False}
    assert (tmp_path / "autograde.log").read_text() == "the log\n"
    raw = (tmp_path / "grades.csv").read_bytes()
    assert raw.count(b"\r\n") == 5 and b'"=' not in raw and b"\n=" not in raw


def test_outputs_are_written_as_utf8_and_csv_without_newline_translation(
        tmp_path, monkeypatch):
    opened, written = [], []
    real_open, real_write = open, Path.write_text

    def spy_open(path, mode="r", **kwargs):
        opened.append((Path(path).name, mode, kwargs.get("newline"),
                       _codec(kwargs.get("encoding")), set(kwargs)))
        return real_open(path, mode, **kwargs)

    def spy_write(self, data, encoding=None, **kwargs):
        written.append((self.name, _codec(encoding)))
        return real_write(self, data, encoding, **kwargs)

    monkeypatch.setattr(grade, "open", spy_open, raising=False)
    monkeypatch.setattr(Path, "write_text", spy_write)
    _write_outputs(tmp_path, [Result("zoë", "a", reason="ß")], "é\n")
    both = {"newline", "encoding"}
    assert opened == [("grades.csv", "w", "", "utf-8", both),
                      ("cells.csv", "w", "", "utf-8", both)]
    assert written == [("integrity.json", "utf-8"), ("autograde.log", "utf-8")]
    assert "zoë" in (tmp_path / "grades.csv").read_bytes().decode("utf-8")


# ---------------------------------------------------------------- late

DEADLINE = datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("delay, policy, want", [
    (timedelta(0), "penalty", (8.0, "")),
    (timedelta(seconds=-1), "zero", (8.0, "")),
    (timedelta(seconds=1), "penalty", (6.0, "late by 0.0 h (penalty: x0.75)")),
    (timedelta(days=1), "penalty", (6.0, "late by 24.0 h (penalty: x0.75)")),
    (timedelta(days=1, seconds=1), "penalty",
     (4.0, "late by 24.0 h (penalty: x0.5)")),
    (timedelta(days=5), "penalty", (0.0, "late by 120.0 h (penalty: x0)")),
    (timedelta(hours=3), "zero", (0.0, "late by 3.0 h (late policy: zero)")),
    (timedelta(hours=3), "accept", (8.0, "late by 3.0 h (accepted)")),
    (timedelta(seconds=3781), "accept", (8.0, "late by 1.1 h (accepted)")),
])
def test_late_policy_at_the_edges(delay, policy, want):
    late = LatePolicy({"a": DEADLINE}, policy, 0.25)
    assert late.apply("a", DEADLINE + delay, 8.0) == want


def test_late_policy_without_a_deadline_or_a_time():
    late = LatePolicy({"a": DEADLINE}, "zero")
    assert late.apply("b", DEADLINE + timedelta(days=9), 8.0) == (8.0, "")
    assert late.apply("a", None, 8.0) == (
        8.0, "no collection time: lateness not checked")


def test_apply_late_changes_only_graded_rows_and_keeps_the_reason():
    late = LatePolicy({"a": DEADLINE}, "zero")
    stamps = {("s", "a"): DEADLINE + timedelta(hours=2)}
    res = Result("s", "a", "graded", 8.0, 10.0, reason="failed: t1")
    _apply_late(res, late, stamps)
    assert res.score == 0.0
    assert res.reason == "late by 2.0 h (late policy: zero) | failed: t1"
    res = Result("s", "a", "graded", 8.0, 10.0)
    _apply_late(res, late, stamps)
    assert (res.score, res.reason) == (0.0, "late by 2.0 h (late policy: zero)")
    res = Result("s", "a", "invalid", 8.0, 10.0, reason="bad file")
    _apply_late(res, late, stamps)
    assert (res.score, res.reason) == (8.0, "bad file")
    penalty = LatePolicy({"a": DEADLINE}, "penalty", 0.25)
    res = Result("s", "a", "graded", 8.0, 10.0)
    _apply_late(res, penalty, stamps)
    assert (res.score, res.reason) == (6.0, "late by 2.0 h (penalty: x0.75)")
    res = Result("s", "a", "graded", 8.0, 10.0)
    _apply_late(res, penalty, {("s", "a"): DEADLINE})
    assert (res.score, res.reason) == (8.0, "")
    res = Result("s", "a", "graded", 8.0, 10.0)
    _apply_late(res, None, stamps)
    assert (res.score, res.reason) == (8.0, "")
    res = Result("s", "a", "graded", 8.0, 10.0)
    _apply_late(res, late, {})
    assert res.reason == "no collection time: lateness not checked"


# -------------------------------------------------------------- run_job

def _outcome(scores, manual=False, failures=(), seconds=1.5):
    return Outcome([], [], scores, manual, seconds, list(failures))


def _job(student, notebooks, **integrity):
    return grade.Job(Result(student, "01-foundations", max_score=9.0),
                     {nb: ([], Integrity(**integrity.get(nb, {})))
                      for nb in notebooks})


@pytest.fixture
def fake_run(monkeypatch, tmp_path):
    """run_job with the notebook runs replaced by given outcomes."""
    monkeypatch.setenv("COURSE_GRADE_SECRET", "test secret")
    calls, pages = [], []
    outcomes: dict = {}

    def run_notebook(cells, limits, integrity, graded, seed, hidden):
        calls.append({"cells": cells, "limits": limits,
                      "integrity": integrity, "graded": graded,
                      "seed": seed, "hidden": hidden})
        out = outcomes[len(calls) - 1]
        if isinstance(out, Exception):
            raise out
        return out

    def page(student, assignment, nb, out, subtotal, total, notes):
        pages.append((student, assignment, nb, subtotal, total, notes, out))
        return f"<p>{subtotal:g}/{total:g}</p>"

    encodings = {}
    real_write = Path.write_text

    def spy_write(self, data, encoding=None, **kwargs):
        encodings[self.name] = _codec(encoding)
        return real_write(self, data, encoding, **kwargs)

    monkeypatch.setattr(Path, "write_text", spy_write)
    monkeypatch.setattr(grade, "run_notebook", run_notebook)
    monkeypatch.setattr(grade, "autograded_notebook", lambda out: out.scores)
    monkeypatch.setattr(grade, "feedback_html", page)
    monkeypatch.setattr(grade, "write_json", lambda path, data: (
        path.parent.mkdir(parents=True, exist_ok=True),
        path.write_text(json.dumps(sorted(data)))))
    templates = {("01-foundations", "a.ipynb"):
                 SimpleNamespace(graded={"t1": 2.0, "w": 3.0}),
                 ("01-foundations", "b.ipynb"):
                 SimpleNamespace(graded={"t2": 4.0})}

    limits = SimpleNamespace(name="the limits")

    def run(job, plans=None):
        return grade.run_job(job, templates, limits, tmp_path / "work",
                             tmp_path / "feedback", plans)

    return SimpleNamespace(run=run, calls=calls, pages=pages, limits=limits,
                           outcomes=outcomes, tmp=tmp_path,
                           encodings=encodings)


def test_a_rows_total_is_the_sum_of_its_cells_over_its_notebooks(fake_run):
    fake_run.outcomes.update({
        0: _outcome({"t1": (1.5, 2.0), "w": (None, 3.0)}, manual=True,
                    failures=["t1: wrong"], seconds=2.0),
        1: _outcome({"t2": (4.0, 4.0)}, seconds=0.5)})
    job = _job("amy", ["a.ipynb", "b.ipynb"])
    job.notebooks["a.ipynb"][1].notes.append("a.ipynb: renamed")
    res = fake_run.run(job)
    assert res.status == "graded"
    assert res.cells == {"t1": (1.5, 2.0), "w": (None, 3.0), "t2": (4.0, 4.0)}
    for call, nb in zip(fake_run.calls, ["a.ipynb", "b.ipynb"], strict=True):
        cells, integrity = job.notebooks[nb]
        assert call["cells"] is cells and call["integrity"] is integrity
        assert call["limits"] is fake_run.limits
    assert [p[:2] for p in fake_run.pages] == [("amy", "01-foundations")] * 2
    assert fake_run.pages[0][5] == ["a.ipynb: renamed"]
    assert fake_run.pages[0][6] is fake_run.outcomes[0]
    assert res.score == 5.5 and res.max_score == 9.0
    assert res.needs_manual_grade is True and res.flagged is False
    assert res.seconds == 2.5
    assert res.reason == "failed: t1: wrong"
    # each notebook's page shows its own subtotal out of its own maximum
    assert [p[2:5] for p in fake_run.pages] == [("a.ipynb", 1.5, 5.0),
                                                ("b.ipynb", 4.0, 4.0)]
    html = fake_run.tmp / "feedback" / "amy" / "01-foundations" / "a.html"
    assert html.read_text() == "<p>1.5/5</p>"
    assert fake_run.encodings["a.html"] == "utf-8"
    saved = fake_run.tmp / "work" / "autograded" / "amy" / "01-foundations"
    assert json.loads((saved / "b.ipynb").read_text()) == ["t2"]
    assert [c["graded"] for c in fake_run.calls] == [{"t1": 2.0, "w": 3.0},
                                                      {"t2": 4.0}]


def test_a_human_score_is_not_needed_when_no_notebook_asks(fake_run):
    fake_run.outcomes.update({0: _outcome({"t1": (2.0, 2.0), "w": (0.0, 3.0)}),
                              1: _outcome({"t2": (0.0, 4.0)})})
    res = fake_run.run(_job("amy", ["a.ipynb", "b.ipynb"]))
    assert res.needs_manual_grade is False and res.score == 2.0
    assert res.reason == ""


def test_each_notebook_runs_with_its_own_seed_and_hidden_checks(fake_run):
    fake_run.outcomes.update({i: _outcome({}) for i in range(4)})
    plans = {("01-foundations", "a.ipynb"): ({"t1": ["check"]}, "the ref")}
    fake_run.run(_job("amy", ["a.ipynb", "b.ipynb"]), plans)
    fake_run.run(_job("bob", ["a.ipynb", "b.ipynb"]), plans)
    amy_a, amy_b, bob_a, _ = fake_run.calls
    assert amy_a["hidden"].checks == {"t1": ["check"]}
    assert amy_a["hidden"].reference == "the ref"
    assert amy_b["hidden"] is None
    assert amy_a["seed"] != amy_b["seed"] != bob_a["seed"]
    assert amy_a["hidden"].seed != bob_a["hidden"].seed
    assert amy_a["seed"] == grade._seed("amy", "01-foundations", "a.ipynb")
    assert amy_a["hidden"].seed == seed_for("amy", "01-foundations",
                                            "a.ipynb")
    for seed in (amy_a["seed"], amy_a["hidden"].seed):
        assert isinstance(seed, int) and 0 <= seed < 2 ** 64


def test_a_broken_run_is_an_error_row_naming_the_notebook(fake_run):
    fake_run.outcomes.update({0: _outcome({"t1": (2.0, 2.0)}),
                              1: RuntimeError("x" * 400)})
    res = fake_run.run(_job("amy", ["a.ipynb", "b.ipynb"]))
    assert res.status == "error"
    assert res.reason == ("b.ipynb: grading failed (RuntimeError: "
                          + "x" * 300 + ")")


def test_other_names_lead_the_reason_of_a_graded_or_broken_row(fake_run):
    fake_run.outcomes.update({0: _outcome({"t1": (2.0, 2.0)},
                                          failures=["t1: a"]),
                              1: RuntimeError("boom")})
    job = _job("amy", ["a.ipynb"])
    job.names = ["a.ipynb: handed in as x.ipynb"]
    res = fake_run.run(job)
    assert res.reason == "a.ipynb: handed in as x.ipynb | failed: t1: a"
    job = _job("bob", ["a.ipynb"])
    job.names = ["a.ipynb: handed in as y.ipynb"]
    res = fake_run.run(job)
    assert res.status == "error"
    assert res.reason == ("a.ipynb: handed in as y.ipynb | a.ipynb: grading "
                          "failed (RuntimeError: boom)")


def test_integrity_findings_become_flags_and_reasons(fake_run):
    fake_run.outcomes.update({0: _outcome({"t1": (2.0, 2.0)},
                                          failures=["t1: a", "t1: b"])})
    found = {"canaries": ["c1", "c2", "c3"],
             "tamper": ["t1", "t2", "t3", "t4"],
             "course_imports": ["i1", "i2", "i3", "i4"],
             "restored": ["r1", "r2"]}
    res = fake_run.run(_job("amy", ["a.ipynb"], **{"a.ipynb": found}))
    assert res.flagged is True and res.score == 2.0
    assert res.reason == (
        "flagged for a human: c1; c2 | tampering: t1; t2; t3 | uses the "
        "course's implementation: i1; i2; i3 | 2 cell(s) restored | "
        "failed: t1: a; t1: b")
    assert res.integrity["tamper"] == ["t1", "t2", "t3", "t4"]


def test_findings_of_several_notebooks_name_their_notebook(fake_run):
    fake_run.outcomes.update({0: _outcome({}), 1: _outcome({})})
    res = fake_run.run(_job("amy", ["a.ipynb", "b.ipynb"],
                            **{"b.ipynb": {"restored": ["cell t2"]}}))
    assert res.integrity["restored"] == ["b.ipynb: cell t2"]
    assert res.reason == "1 cell(s) restored" and res.flagged is False


# ------------------------------------------------------------ gradebook

class _Grade:
    def __init__(self, name):
        self.name = name
        self.auto_score = self.manual_score = "unset"
        self.needs_manual_grade = "unset"


class _Gradebook:
    """Records what GradebookWriter.write asks of nbgrader's Gradebook."""

    def __init__(self, cells):
        self.log: list = []
        self.subs: dict = {}
        self.cells = cells
        self.db = SimpleNamespace(no_autoflush=_NullContext(),
                                  commit=lambda: self.log.append("commit"))

    def update_or_create_student(self, sid):
        self.log.append(("student", sid))

    def remove_submission(self, assignment, sid):
        from nbgrader.api import MissingEntry

        self.log.append(("remove", assignment, sid))
        if not self.subs:
            raise MissingEntry()

    def add_submission(self, assignment, sid):
        self.log.append(("add", assignment, sid))

    def find_submission_notebook(self, stem, assignment, sid):
        self.log.append(("find", stem, assignment, sid))
        sub = SimpleNamespace(grades=[_Grade(c) for c in self.cells[stem]],
                              flagged="unset")
        self.subs[stem] = sub
        return sub


class _NullContext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _writer(cells):
    writer = object.__new__(grade.GradebookWriter)
    writer.gb = _Gradebook(cells)
    return writer


def test_gradebook_gets_each_cells_score_and_manual_ones_as_manual():
    pytest.importorskip("nbgrader")
    writer = _writer({"a": ["t1", "w1", "w2"], "b": ["t2"]})
    res = Result("amy", "01-foundations", "graded", 5.0, 9.0, flagged=True,
                 cells={"t1": (2.0, 2.0), "w1": (None, 3.0),
                        "w2": (1.5, 2.0), "t2": (1.5, 2.0)},
                 manual_cells={"w2"})
    writer.write(res, ("a.ipynb", "b.ipynb"))
    gb = writer.gb
    assert gb.log == [("student", "amy"),
                      ("remove", "01-foundations", "amy"),
                      ("add", "01-foundations", "amy"),
                      ("find", "a", "01-foundations", "amy"),
                      ("find", "b", "01-foundations", "amy"), "commit"]
    t1, w1, w2 = gb.subs["a"].grades
    assert (t1.auto_score, t1.needs_manual_grade) == (2.0, False)
    assert (w1.auto_score, w1.needs_manual_grade) == (None, True)
    assert (w2.auto_score, w2.manual_score, w2.needs_manual_grade) == \
        (None, 1.5, False)
    assert t1.manual_score == "unset"
    assert gb.subs["b"].grades[0].auto_score == 1.5
    assert gb.subs["a"].flagged is True and gb.subs["b"].flagged is True


def test_gradebook_cell_without_a_score_waits_for_a_human():
    pytest.importorskip("nbgrader")
    writer = _writer({"a": ["t9"]})
    writer.write(Result("amy", "01-foundations", "graded", cells={}),
                 ("a.ipynb",))
    (g,) = writer.gb.subs["a"].grades
    assert (g.auto_score, g.needs_manual_grade) == (None, True)


@pytest.mark.parametrize("status", ["missing", "invalid", "error"])
def test_an_ungraded_row_only_removes_an_old_submission(status):
    pytest.importorskip("nbgrader")
    writer = _writer({"a": ["t1"]})
    writer.write(Result("amy", "01-foundations", status), ("a.ipynb",))
    assert writer.gb.log == [("student", "amy"),
                             ("remove", "01-foundations", "amy")]


def test_a_bad_student_id_never_reaches_the_gradebook():
    writer = _writer({"a": ["t1"]})
    writer.write(Result("../evil", "01-foundations", "graded"), ("a.ipynb",))
    assert writer.gb.log == []


# ------------------------------------------------------------ pass rates

def test_pass_rates_count_full_marks_among_scored_graded_cells(monkeypatch):
    figures = []
    monkeypatch.setattr(report, "_png", lambda fig: figures.append(fig)
                        or "data:image/png;base64,AAAA")
    results = [
        Result("a", "01", "graded", cells={"w": (None, 3.0), "t1": (2.0, 2.0),
                                           "t2": (1.0, 2.0)}),
        Result("b", "01", "graded", cells={"t1": (2.0, 2.0), "t2": (2.0, 2.0)}),
        Result("c", "01", "graded", cells={"t1": (0.0, 2.0)}),
        Result("d", "01", "error", cells={"t1": (2.0, 2.0)}),
        Result("e", "02", "graded", cells={"t1": (1.0, 1.0)}),
    ]
    img, rows = report._pass_rates(results)
    assert rows == [("01:t1", pytest.approx(2 / 3), 3), ("01:t2", 0.5, 2),
                    ("02:t1", 1.0, 1)]
    assert img == ("<img alt='pass rate per cell' "
                   "src='data:image/png;base64,AAAA'>")
    (fig,) = figures
    (ax,) = fig.axes
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx([100 * 2 / 3, 50.0, 100.0])
    assert [t.get_text() for t in ax.get_yticklabels()] == \
        ["01:t1", "01:t2", "02:t1"]
    assert ax.get_xlim() == (0.0, 100.0)
    assert ax.yaxis_inverted()
    assert ax.get_xlabel() == "students with full marks (%)"
    assert ax.get_title() == "Pass rate per graded cell"
    assert {p.get_facecolor() for p in ax.patches} == {to_rgba("#48a")}
    assert {t.get_fontsize() for t in ax.get_yticklabels()} == {7.0}
    assert 7.0 not in {t.get_fontsize() for t in ax.get_xticklabels()}
    assert tuple(fig.get_size_inches()) == pytest.approx((7.0, 0.28 * 3 + 1))


def test_no_scored_cell_means_no_pass_rate_chart():
    results = [Result("a", "01", "graded", cells={"w": (None, 3.0)}),
               Result("b", "01", "missing")]
    assert report._pass_rates(results) == ("", [])
