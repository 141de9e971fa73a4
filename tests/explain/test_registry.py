"""The topic registry: one declaration per topic, from which `gradcraft explain` is built."""

from __future__ import annotations

import inspect
import re

import pytest

from gradcraft import explain
from gradcraft.cli import main
from gradcraft.explain import TOPICS, Explanation, Parameter, Topic

# the topics the README lists, written out by hand (not read from the registry)
README_TOPICS = ["hinge", "softmax", "compare", "linear", "sigmoid", "kl", "conv", "params",
                 "receptive-field", "distance", "batchnorm", "gradient-signs", "prox"]


def test_the_registry_holds_the_readme_topics_in_order():
    assert list(TOPICS) == README_TOPICS


def test_the_cli_lists_every_registered_topic(capsys):
    with pytest.raises(SystemExit) as info:
        main(["explain", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in README_TOPICS:
        assert re.search(rf"^    {name}(\s|$)", out, re.MULTILINE), name
    assert TOPICS["prox"].summary in " ".join(out.split())  # argparse wraps lines


def test_a_topic_is_called_like_its_function():
    assert TOPICS["hinge"]([3, -1, 4], 0).result["loss"] == 2.0  # 0 + max(0, 4 - 3 + 1)
    assert TOPICS["receptive-field"].function is explain.receptive_field


def test_every_declared_result_key_is_documented_in_the_function_docstring():
    for topic in TOPICS.values():
        doc = inspect.getdoc(topic.function)
        assert "Result keys" in doc, topic.name
        keys_paragraph = doc[doc.index("Result keys"):]
        for key in topic.results:
            assert re.search(rf"(?<![\w.]){key}(?!\w)", keys_paragraph), f"{topic.name}: {key} is not documented"


def test_help_shows_the_defaults_of_the_function_signatures(capsys):
    # hinge's margin defaults to 1, softmax's to 0 (no margin), conv's stride to 1
    for args, expected in ((["hinge"], "margin >= 0 (default 1)"), (["softmax"], "margin >= 0 (default 0)"),
                           (["conv"], "stride (default 1)"), (["receptive-field"], "(default 0,0)"),
                           (["sigmoid"], "(default -100 -10 0 10 100)")):
        with pytest.raises(SystemExit):
            main(["explain", *args, "--help"])
        out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
        assert expected in out, (args, out)


def test_help_lists_the_result_keys(capsys):
    with pytest.raises(SystemExit):
        main(["explain", "hinge", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert 'With --json, "result" holds loss, grad, terms, violating' in out


def _demo(values, scale: float = 2.0, double: bool = False) -> Explanation:
    """A topic that is not in gradcraft: values (N,) times scale. Result keys: scaled."""
    result = Explanation("demo", "Demo")
    factor = scale * (2 if double else 1)
    result.add("scaled", [v * factor for v in values])
    result.record(scaled=[v * factor for v in values])
    return result


def test_a_topic_added_to_the_registry_becomes_a_command(monkeypatch, cli):
    # the CLI is built from TOPICS, so a new declaration needs nothing else
    demo = Topic("demo", _demo, "scale numbers",
                 (Parameter("values", "vector", "numbers"), Parameter("scale", "number", "factor"),
                  Parameter("double", "flag", "twice the factor")), ("scaled",))
    monkeypatch.setitem(TOPICS, "demo", demo)
    result = cli("demo", "--values", "1", "-2.5", "--json")
    assert result.code == 0, result.err
    assert result.json()["result"] == {"scaled": [2.0, -5.0]}   # the signature's default scale 2
    result = cli("demo", "--values", "1,-2.5", "--scale", "3", "--double", "--json")
    assert result.json()["result"] == {"scaled": [6.0, -15.0]}  # 3 * 2
    assert "required" in cli("demo").err and "--values" in cli("demo").err


@pytest.mark.parametrize("make, message", [
    (lambda: Parameter("x", "tensor", "?"), "kind must be one of vector"),
    (lambda: Parameter("x", "int", "?", low=0), "low applies to numbers only"),
    (lambda: Topic("demo", _demo, "", (Parameter("nope", "vector", "?"),), ()), "['nope'] are not arguments"),
    (lambda: Topic("demo", _demo, "", (Parameter("scale", "number", "?"),), ()),
     "required arguments ['values'] have no Parameter"),
    (lambda: Topic("demo", _demo, "", (Parameter("values", "vector", "?"),
                                       Parameter("scale", "number", "?", flag="--values")), ()),
     "flags must be unique"),
    (lambda: Topic("demo", _demo, "", (Parameter("values", "vector", "?"), Parameter("scale", "flag", "?")), ()),
     "flag --scale needs a True/False default, got 2.0"),
])
def test_a_wrong_declaration_fails_at_import_with_a_clear_message(make, message):
    with pytest.raises(ValueError) as error:
        make()
    assert message in str(error.value)


def test_the_cli_reads_every_kind_of_parameter():
    from gradcraft.cli.explain import _OPTIONS
    from gradcraft.explain.topic import KINDS

    assert set(_OPTIONS) == set(KINDS) - {"flag"}  # flags are switches, handled on their own


def test_default_flag_names_follow_the_parameter_names():
    assert Parameter("in_channels", "int", "?").flag == "--in-channels"
    assert {p.name: p.flag for p in TOPICS["conv"].parameters}["kernel"] == "--w"


def test_a_type_error_from_a_topic_is_one_line_exit_2(monkeypatch, cli, usage_error):
    # validation's TypeErrors reach the CLI as usage errors too, never as a traceback
    def strict(values) -> Explanation:
        raise TypeError("values must be a real number, got 'x' (str)")

    monkeypatch.setitem(TOPICS, "strict", Topic("strict", strict, "", (Parameter("values", "vector", "?"),), ()))
    usage_error(cli("strict", "--values", "1"), "explain strict: values must be a real number")
