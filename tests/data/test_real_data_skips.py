"""Without GRADCRAFT_DATA the real-data tests are skipped, with a reason that names the variable
(a fresh clone has no datasets beside it); a GRADCRAFT_DATA that is not a directory fails them.

Each case runs pytest on test_real_data.py in a subprocess, with the variable set or removed,
and reads every test's outcome and skip reason from the JUnit XML report pytest writes.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REAL_DATA_TESTS = Path(__file__).with_name("test_real_data.py")


def run_real_data_tests(tmp_path, data_dir=None):
    """(exit status, {test name: (outcome, message)}) of pytest on the real-data tests."""
    env = {k: v for k, v in os.environ.items() if k not in ("GRADCRAFT_DATA", "PYTEST_ADDOPTS")}
    if data_dir is not None:
        env["GRADCRAFT_DATA"] = str(data_dir)
    report = tmp_path / "report.xml"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(REAL_DATA_TESTS), "-p", "no:cacheprovider",
         f"--junitxml={report}"],
        cwd=REAL_DATA_TESTS.parents[2], env=env, capture_output=True, text=True, timeout=300)
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        children = [c for c in case if c.tag in ("skipped", "failure", "error")]
        outcome = children[0].tag if children else "passed"
        outcomes[case.get("name")] = (outcome, children[0].get("message", "") if children else "")
    return completed.returncode, outcomes


def test_without_the_variable_every_real_data_test_is_skipped_naming_it(tmp_path):
    status, outcomes = run_real_data_tests(tmp_path)
    assert status == 0
    assert len(outcomes) == 6  # the four MNIST facts, Fashion-MNIST's class counts, CIFAR-10's
    for name, (outcome, message) in outcomes.items():
        assert outcome == "skipped", name
        assert "GRADCRAFT_DATA is not set; set it to a folder holding mnist/" in message, name


def test_a_data_folder_without_a_dataset_skips_its_tests_naming_the_folder(tmp_path):
    data = tmp_path / "data"
    (data / "mnist").mkdir(parents=True)  # MNIST present (empty), the others absent
    status, outcomes = run_real_data_tests(tmp_path, data)
    fashion = outcomes["test_fashion_mnist_has_1000_test_images_per_class"]
    cifar = outcomes["test_cifar10_has_the_published_sizes_and_balanced_classes"]
    assert fashion[0] == "skipped" and f"GRADCRAFT_DATA={data} has no fashion-mnist/ folder" in fashion[1]
    assert cifar[0] == "skipped" and "has no cifar-10-batches-py/ folder" in cifar[1]
    # MNIST's folder exists, so its tests run -- and fail here, for want of its files
    assert outcomes["test_mnist_loads_with_the_published_sizes"][0] == "error"
    assert status == 1


def test_a_variable_naming_no_directory_fails_instead_of_skipping(tmp_path):
    status, outcomes = run_real_data_tests(tmp_path, tmp_path / "nowhere")
    assert status == 1
    # an error in a fixture's setup, or a failure where a test body asks for the fixture
    assert {outcome for outcome, _ in outcomes.values()} <= {"error", "failure"}
    assert all(f"GRADCRAFT_DATA={tmp_path / 'nowhere'} is not a directory" in message
               for _, message in outcomes.values())
