"""Default run folders are unique, also for runs started in the same second at the same time:
the folder is claimed by mkdir itself, never by a check before it."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import gradcraft.train.rundir as rundir
from gradcraft.train.rundir import new_run_dir

STAMP = "20240101-120000"


@pytest.fixture
def frozen_clock(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rundir, "_timestamp", lambda: STAMP)
    return tmp_path / "runs"


def test_runs_of_the_same_second_get_numbered_folders(frozen_clock):
    made = [new_run_dir() for _ in range(3)]
    assert [p.name for p in made] == [STAMP, f"{STAMP}-1", f"{STAMP}-2"]
    assert all(p.is_dir() for p in made)


def test_a_folder_created_between_the_check_and_the_mkdir_is_not_an_error(frozen_clock, monkeypatch):
    """The race, made certain: another run creates runs/<stamp>/ right after this one looked
    (the existence check says it is free). The run must take the next name, not die with
    [Errno 17] File exists."""
    (frozen_clock / STAMP).mkdir(parents=True)
    monkeypatch.setattr(Path, "exists", lambda self: False)   # every look says "free"
    assert new_run_dir().name == f"{STAMP}-1"


def test_concurrent_runs_at_one_frozen_timestamp_all_get_their_own_folder(frozen_clock):
    barrier, made, errors = threading.Barrier(8), [], []

    def start():
        barrier.wait()
        try:
            made.append(new_run_dir())
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(p.name for p in made) == sorted([STAMP] + [f"{STAMP}-{n}" for n in range(1, 8)])


def test_two_gradcraft_train_processes_started_together(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GRADCRAFT_DATA"}
    command = [str(Path(sys.executable).with_name("gradcraft")), "train", "--epochs", "1", "--hidden",
               "8", "--quiet"]
    processes = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    folders = sorted((tmp_path / "runs").iterdir())
    assert len(folders) == 2 and all((f / "model.safetensors").is_file() for f in folders)
