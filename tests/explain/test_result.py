"""The Explanation result type: lookup by name, number formatting, text and JSON rendering."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradcraft.explain import Explanation
from gradcraft.explain.result import format_number, format_value


@pytest.mark.parametrize("value, precision, text", [
    (2.0, 4, "2"),
    (1.3181754, 4, "1.318"),
    (1.3181754, 2, "1.3"),
    (0.004901689, 4, "0.004902"),
    (3.720076e-44, 3, "3.72e-44"),
    (-0.0, 4, "0"),
    (7, 4, "7"),
    (float("inf"), 4, "inf"),
    (True, 4, "yes"),
])
def test_format_number(value, precision, text):
    assert format_number(value, precision) == text


def test_format_value_vectors_and_matrices():
    assert format_value(np.array([3.0, -1.0, 4.0])) == "[3, -1, 4]"
    assert format_value(np.array([[1.0, -2.5], [10.0, 0.0]])) == "[   1  -2.5]\n[  10     0]"
    assert format_value(np.array([["+", "0"], ["-", "+"]])) == "[+  0]\n[-  +]"
    assert format_value("tie") == "tie"


def _example() -> Explanation:
    result = Explanation("demo", "A demo")
    result.add("scores", np.array([1.23456, np.float64(2.0)]))
    result.add("loss", np.float64(0.123456), "-log({})", 0.884)
    result.add("matrix", np.eye(2))
    result.add("flag", np.bool_(True))
    result.summary, result.summary_args = "L = {}", (0.123456,)
    return result


def test_lookup_by_name():
    result = _example()
    assert result["loss"] == pytest.approx(0.123456)
    assert "loss" in result and "missing" not in result
    with pytest.raises(KeyError, match="no step named 'missing'"):
        result["missing"]


def test_text_respects_precision():
    text = _example().to_text(precision=3)
    assert "scores : [1.23, 2]" in text
    assert "loss   : 0.123    (-log(0.884))" in text
    assert text.splitlines()[0] == "A demo" and text.endswith("L = 0.123")
    assert "    [1  0]" in text  # matrices on their own indented lines


def test_to_dict_is_json_with_full_precision_values():
    data = json.loads(json.dumps(_example().to_dict(precision=2)))
    values = {s["name"]: s["value"] for s in data["steps"]}
    assert values["scores"] == [1.23456, 2.0]
    assert values["loss"] == 0.123456
    assert values["matrix"] == [[1.0, 0.0], [0.0, 1.0]]
    assert values["flag"] is True
    assert data["steps"][1]["note"] == "-log(0.88)"
    assert data["summary"] == "L = 0.12" and data["topic"] == "demo"


def test_record_holds_plain_values_and_to_dict_gives_them_at_full_precision():
    result = Explanation("demo", "A demo")
    result.record(loss=np.float64(0.123456789), count=np.int64(3), flag=np.bool_(False),
                  grad=np.array([1.5, -2.0]), undefined=None, infinite=np.float64(np.inf))
    assert type(result.result["loss"]) is float and type(result.result["count"]) is int
    assert result.result["flag"] is False
    data = json.loads(json.dumps(result.to_dict(precision=2)))
    assert data["result"] == {"loss": 0.123456789, "count": 3, "flag": False, "grad": [1.5, -2.0],
                              "undefined": None, "infinite": "inf"}
    assert data["steps"] == []  # quantities are not steps: the text output is unchanged
