"""`gradcraft evaluate DIR`: accuracy, top-k error and confusion matrix of a saved run, checked
against scikit-learn on predictions recomputed from the saved weights."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, top_k_accuracy_score

from gradcraft import data
from gradcraft.cli import main
from gradcraft.train.reload import evaluate_run, load_run


@pytest.fixture(scope="module")
def scores_and_labels(small_run):
    run = load_run(small_run[0])
    test = data.load_dataset("digits").test
    return run.model(run.standardizer.transform(test.arrays[0])).data, test.arrays[1]


def test_report_matches_scikit_learn(small_run, scores_and_labels):
    scores, labels = scores_and_labels
    report = evaluate_run(small_run[0])
    assert report.samples == 360 and report.top_k == 5
    assert report.accuracy == pytest.approx(accuracy_score(labels, scores.argmax(1)))
    assert report.top_k_error == pytest.approx(1 - top_k_accuracy_score(labels, scores, k=5))
    np.testing.assert_array_equal(report.confusion, confusion_matrix(labels, scores.argmax(1)))
    assert report.loss > 0


def test_printed_report(small_run, scores_and_labels, capsys):
    scores, labels = scores_and_labels
    assert main(["evaluate", str(small_run[0]), "--top-k", "2"]) == 0
    out = capsys.readouterr().out
    assert f"test accuracy: {accuracy_score(labels, scores.argmax(1)):.2%}" in out
    assert f"top-2 error:   {1 - top_k_accuracy_score(labels, scores, k=2):.2%}" in out
    matrix = confusion_matrix(labels, scores.argmax(1))
    rows = [line for line in out.splitlines() if line.startswith("│ ")]   # the table's body
    assert len(rows) == 10
    first = rows[0].replace("│", " ").split()
    assert first[0] == "0" and first[1:11] == [str(n) if n else "." for n in matrix[0]]
    assert first[11] == f"{matrix[0, 0] / matrix[0].sum():.1%}"          # recall of class 0


def test_evaluate_with_data_dir_override_for_embedded_data(small_run, tmp_path, capsys):
    assert main(["evaluate", str(small_run[0]), "--data-dir", str(tmp_path)]) == 0  # digits need no files
    assert "360 test samples of digits" in capsys.readouterr().out


def test_narrow_output_widens_the_table_instead_of_shortening_counts(small_run, scores_and_labels,
                                                                       capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")          # rich would otherwise cut cells to "1…"
    scores, labels = scores_and_labels
    assert main(["evaluate", str(small_run[0])]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    matrix = confusion_matrix(labels, scores.argmax(1))
    rows = [line.replace("│", " ").split() for line in out.splitlines() if line.startswith("│ ")]
    assert [row[1:11] for row in rows] == [[str(n) if n else "." for n in r] for r in matrix]
