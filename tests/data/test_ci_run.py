""".ci/run: it points GRADCRAFT_DATA at ../shared/data (an absolute path) when that folder is
beside the clone, so CI runs the real-data tests, and it fails when a test fails or none runs.

The script is run as it is, in a throwaway copy of a repository whose tests/ holds one small
test file per case. Only its installation steps are stubbed, with commands put first on PATH:
`python3 -m venv` makes a `.venv` whose `activate` adds a `pip` that installs nothing and a
`python` that runs this interpreter (which has pytest) for anything but `-m pip`.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

CI_RUN = Path(__file__).parents[2] / ".ci" / "run"

RECORD_ENVIRONMENT = """
import os
from pathlib import Path

def test_record_the_data_variable():
    Path(os.environ["RECORD"]).write_text(os.environ.get("GRADCRAFT_DATA", "<unset>"))
"""


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _stub_installers(bin_dir: Path) -> None:
    venv_bin = bin_dir / "venv-bin"
    venv_bin.mkdir(parents=True)
    _executable(venv_bin / "pip", "#!/usr/bin/env bash\nexit 0\n")
    _executable(venv_bin / "python", f"""#!/usr/bin/env bash
if [ "${{1:-}} ${{2:-}}" = "-m pip" ]; then exit 0; fi
exec "{sys.executable}" "$@"
""")
    _executable(bin_dir / "python3", f"""#!/usr/bin/env bash
if [ "${{1:-}} ${{2:-}}" = "-m venv" ]; then
    mkdir -p "$3/bin" && echo 'export PATH="{venv_bin}:$PATH"' > "$3/bin/activate"
    exit 0
fi
exec "{sys.executable}" "$@"
""")


def run_ci(tmp_path, tests: dict, shared_data: bool):
    """Run a copy of .ci/run in tmp_path/work/repo with `tests` ({file name: source}) as its
    tests; tmp_path/work/shared/data exists if `shared_data`. Returns (exit status, the
    GRADCRAFT_DATA the tests saw or None, output)."""
    repo = tmp_path / "work" / "repo"
    (repo / ".ci").mkdir(parents=True)
    (repo / "tests").mkdir()
    _executable(repo / ".ci" / "run", CI_RUN.read_text())
    for name, source in tests.items():
        (repo / "tests" / name).write_text(source)
    if shared_data:
        (tmp_path / "work" / "shared" / "data").mkdir(parents=True)
    _stub_installers(tmp_path / "bin")
    record = tmp_path / "seen.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("GRADCRAFT_DATA", "PYTEST_ADDOPTS")}
    env.update(PATH=f"{tmp_path / 'bin'}{os.pathsep}{env['PATH']}", RECORD=str(record))
    # Started from elsewhere, as CI may: the script must find its repository by itself.
    completed = subprocess.run([str(repo / ".ci" / "run")], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=300)
    seen = record.read_text() if record.exists() else None
    return completed.returncode, seen, completed.stdout + completed.stderr


def test_sets_gradcraft_data_to_the_absolute_shared_data_folder(tmp_path):
    status, seen, output = run_ci(tmp_path, {"test_env.py": RECORD_ENVIRONMENT}, shared_data=True)
    assert status == 0, output
    assert seen == str((tmp_path / "work" / "shared" / "data").resolve())
    assert Path(seen).is_absolute()


def test_leaves_gradcraft_data_unset_without_a_shared_data_folder(tmp_path):
    status, seen, output = run_ci(tmp_path, {"test_env.py": RECORD_ENVIRONMENT}, shared_data=False)
    assert status == 0, output
    assert seen == "<unset>"


def test_a_failing_test_fails_the_run(tmp_path):
    tests = {"test_env.py": RECORD_ENVIRONMENT, "test_broken.py": "def test_broken():\n    assert 1 == 2\n"}
    status, seen, output = run_ci(tmp_path, tests, shared_data=True)
    assert status == 1, output  # pytest's status for failed tests
    assert seen is not None  # the run itself happened: the failure is the test's


def test_no_test_at_all_fails_the_run(tmp_path):
    status, seen, output = run_ci(tmp_path, {"helpers.py": "VALUE = 1\n"}, shared_data=True)
    assert status == 5, output  # pytest's status when it collects no test
