"""Host-decided checks without a sandbox: the wire format, the comparison
helpers and their reasons, probes answered with malformed data, and every
assignment's checks.py fitting its notebook."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_tools import checks, wire
from course_tools.checks import (
    Fail,
    Probe,
    StudentError,
    expect_close,
    expect_equal,
    raised,
)
from course_tools.course import EXERCISES, SOLUTIONS, assignments
from course_tools.grade import hidden_checks
from course_tools.integrity import load_template

COURSE = assignments()


@pytest.mark.parametrize("value", [
    None, True, "text", 3, -(1 << 63), 2.5, float("nan"), float("inf"),
    np.arange(6, dtype=np.float32).reshape(2, 3), np.array([], dtype=bool),
    np.float32(1.5), np.int64(7), (1, [2.0, "a"]), {"W": np.ones(2)},
    np.zeros((2, 0, 3)),
])
def test_data_survives_the_wire(value):
    back = wire.decode(json.loads(wire.dumps(wire.encode(value))))
    assert type(back) is type(value)
    if isinstance(value, (np.ndarray, np.generic)):
        assert back.dtype == value.dtype and np.shape(back) == np.shape(value)
        np.testing.assert_array_equal(back, value)
    elif isinstance(value, float) and value != value:
        assert back != back
    elif isinstance(value, dict):
        np.testing.assert_array_equal(back["W"], value["W"])
    else:
        assert back == value


@pytest.mark.parametrize("value", [
    object(), np.array([object()]), {1: 2}, 1 << 70, [[[[[[[[[[[[[[1]]]]]]]]]]]]]],
    np.matrix([[1.0]]),  # an ndarray subclass: not plain data
])
def test_what_is_not_data_is_refused(value):
    with pytest.raises(wire.WireError):
        wire.encode(value)


@pytest.mark.parametrize("tree, why", [
    ({"$a": ["object", [1], "AA=="]}, "dtype"),
    ({"$a": ["float64", [3], "AAAAAAAAAAA="]}, "does not match"),
    ({"$a": ["float64", [-1], ""]}, "shape"),
    ({"$a": ["float64", [1], "!!not base64!!"]}, "base64"),
    ({"$p": "gASVAAAAAAAAAAB9lC4="}, "unknown tag"),  # a pickle: never
    ({"$f": "1e999999" * 10}, "malformed float"),
    ({"$d": [[1, 2]]}, "dict entry"),
    ({"a": 1, "b": 2}, "unexpected dict"),
    ({"$c": 1}, "callback"),
    (1 << 80, "64-bit"),
])
def test_malformed_trees_are_refused_with_a_reason(tree, why):
    with pytest.raises(wire.WireError, match=why):
        wire.decode(tree)


def test_oversized_and_unreadable_lines_are_refused():
    with pytest.raises(wire.WireError, match="exceeds the limit"):
        wire.loads(b"{" + b" " * 100 + b"}", max_bytes=50)
    with pytest.raises(wire.WireError, match="unreadable"):
        wire.loads(b"[" * 100_000, max_bytes=1 << 20)
    with pytest.raises(wire.WireError, match="unreadable"):
        wire.loads(b'{"value": NaN}', max_bytes=100)
    with pytest.raises(wire.WireError, match="JSON object"):
        wire.loads(b"[1]", max_bytes=100)


def test_close_values_pass_and_reasons_name_the_problem():
    want = np.array([[0.25, 0.75], [0.5, 0.5]])
    expect_close(want.copy(), want, what="softmax(x)")
    cases = [
        (want.T.copy()[:, :1], "has shape (2, 1); expected (2, 2)"),
        (want.astype(np.float32), "has dtype float32; expected float64"),
        ([[0.25, 0.75]], "expected an array of shape (2, 2); got a list"),
        (want[::-1].copy(), "4 of 4 values differ"),
        (np.full((2, 2), np.nan), "4 of them not finite"),
    ]
    for got, message in cases:
        with pytest.raises(Fail) as err:
            expect_close(got, want, what="softmax(x)", hint="rows")
        text = str(err.value)
        assert text.startswith("softmax(x): ") and message in text, text
        assert text.endswith("(rows)"), text


def test_reasons_never_show_the_expected_values():
    want = np.array([0.123456789, 98765.4321])
    got = want + 1.0
    for helper in (expect_close, expect_equal):
        with pytest.raises(Fail) as err:
            helper(got, want, what="f(x)")
        text = str(err.value)
        for shown in ("0.1234", "98765", "0.12", "9.87"):
            assert shown not in text, text
    with pytest.raises(Fail) as err:
        expect_close(3.0, 17.25, what="loss")
    assert "17.2" not in str(err.value) and "differs" in str(err.value)


def test_scalar_checks_refuse_arrays_and_booleans():
    with pytest.raises(Fail, match="expected one number; got an array"):
        expect_close(np.ones(2), 1.0, what="loss")
    with pytest.raises(Fail, match="expected one number; got a bool"):
        expect_close(True, 1.0, what="loss")


def test_equal_compares_plain_data_by_type_and_value():
    expect_equal(("relu", 3), ("relu", 3))
    with pytest.raises(Fail, match="expected a tuple; got a list"):
        expect_equal(["relu", 3], ("relu", 3))
    with pytest.raises(Fail, match="differs from the reference"):
        expect_equal("tanh", "relu")


class _Scripted:
    """A stand-in for a sandbox whose answers are given in advance."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.tamper = []
        self.requests = []

    def probe(self, request, timeout, callbacks):
        self.requests.append(request)
        return self.answers.pop(0)


def _probe(*answers):
    import time

    box = _Scripted(*answers)
    return Probe(box, time.monotonic() + 60), box


def test_probe_sends_names_and_inputs_only():
    probe, box = _probe({"value": wire.encode(np.zeros(2))})
    got = probe.softmax(np.ones((1, 2)), axis=1)
    np.testing.assert_array_equal(got, np.zeros(2))
    (request,) = box.requests
    assert request["action"] == "call"
    assert request["target"] == {"base": "softmax", "attrs": []}
    assert set(request) == {"action", "target", "args", "kwargs"}


def test_student_exceptions_arrive_as_data():
    probe, _ = _probe({"raised": ["ValueError", "bad shape"]})
    with pytest.raises(StudentError) as err:
        probe.f(1)
    assert err.value.ename == "ValueError"
    probe, _ = _probe({"raised": ["ValueError", "bad shape"]})
    assert raised(probe, probe.f, 1) == "ValueError"


def test_malformed_answers_fail_the_check_and_are_recorded():
    probe, box = _probe({"value": {"$a": ["object", [1], "AA=="]}})
    with pytest.raises(Fail, match="broke the protocol"):
        probe.f(1)
    assert box.tamper and "malformed" in box.tamper[0]
    probe, _ = _probe({"raised": [1, None]})
    with pytest.raises(StudentError, match="malformed exception report"):
        probe.f(1)


def test_objects_come_back_as_handles_that_call_into_the_sandbox():
    probe, box = _probe({"value": {"$r": [4, "ReLU"]}},
                        {"value": wire.encode(np.ones(3))})
    layer = probe.ReLU()
    assert layer.type == "ReLU"
    out = layer.forward(np.zeros(3))
    assert box.requests[1]["target"] == {"base": 4, "attrs": ["forward"]}
    np.testing.assert_array_equal(out, np.ones(3))


def test_a_check_that_raises_student_error_fails_with_a_reason():
    @checks.check("test_x", points=1)
    def boom(probe, ref, rng):
        raise StudentError("ZeroDivisionError", "division by zero")

    result = checks.run_check(boom.__check__, None, None, seed=1)
    assert not result.passed
    assert result.reason == ("boom: your code raised ZeroDivisionError: "
                             "division by zero")


def test_seeds_depend_on_the_secret(monkeypatch):
    monkeypatch.setenv("COURSE_GRADE_SECRET", "one")
    a = checks.seed_for("alice", "01-foundations", "foundations.ipynb")
    assert a == checks.seed_for("alice", "01-foundations",
                                "foundations.ipynb")
    assert a != checks.seed_for("bob", "01-foundations", "foundations.ipynb")
    monkeypatch.setenv("COURSE_GRADE_SECRET", "two")
    assert a != checks.seed_for("alice", "01-foundations",
                                "foundations.ipynb")


def test_every_checks_file_fits_its_notebook():
    templates = {(a.name, nb): load_template(a.name, nb) for a in COURSE
                 for nb in a.notebooks}
    plans = hidden_checks(COURSE, templates)
    assert ("01-foundations", "foundations.ipynb") in plans
    for (name, nb), (found, _) in plans.items():
        template = templates[(name, nb)]
        for cell, items in found.items():
            assert sum(c.points for c in items) == template.graded[cell]


def test_checks_are_never_released():
    assert not list(EXERCISES.rglob("checks.py"))
    assert (SOLUTIONS / "01-foundations" / "checks.py").is_file()


def test_a_checks_file_must_cover_every_test_cell(tmp_path):
    folder = tmp_path / "01-foundations"
    folder.mkdir()
    (folder / "checks.py").write_text(
        "from course_tools.checks import check\n"
        "@check('test_softmax', points=1)\n"
        "def half(probe, ref, rng):\n    pass\n")
    (folder / "foundations.ipynb").write_text(
        (SOLUTIONS / "01-foundations" / "foundations.ipynb").read_text())
    a = next(a for a in COURSE if a.name == "01-foundations")
    templates = {(a.name, nb): load_template(a.name, nb) for nb in
                 a.notebooks}
    with pytest.raises(ValueError, match="have no check"):
        hidden_checks([a], templates, solutions=tmp_path)


def test_checks_naming_one_stream_draw_the_same_inputs():
    drawn = []

    @checks.check("t", 1, stream="shared")
    def first(probe, ref, rng):
        drawn.append(rng.random())

    @checks.check("t", 1, stream="shared")
    def second(probe, ref, rng):
        drawn.append(rng.random())

    @checks.check("t", 1)
    def own(probe, ref, rng):
        drawn.append(rng.random())

    for fn in (first, second, own):
        assert checks.run_check(fn.__check__, None, None, seed=5).passed
    assert drawn[0] == drawn[1] != drawn[2]
    with pytest.raises(TypeError, match="'stream' must be a string"):
        checks.check("t", 1, stream=3)


def test_probes_of_one_sandbox_share_a_memo_on_the_host():
    class Sandbox:
        pass

    one, other = Sandbox(), Sandbox()
    a, b = checks.Probe(one, 0.0), checks.Probe(one, 0.0)
    a.memo["accuracy"] = 0.98
    assert b.memo == {"accuracy": 0.98}
    assert checks.Probe(other, 0.0).memo == {}
    held = len(checks._MEMOS)
    del a, b, one  # the memo goes with its sandbox
    assert len(checks._MEMOS) == held - 1
