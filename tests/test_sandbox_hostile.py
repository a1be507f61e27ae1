"""Every hostile behaviour the sandbox must survive, with the exact status it must report.

The task used by most tests: flip each row left-right. A correct program passes; a hostile
one gets the status named in the test, and the sandbox keeps working afterwards.
"""

import os
import textwrap

import psutil
import pytest

from conftest import PRELOAD, make_task
from kernel.sandbox import SandboxLimits
from kernel.verify import Verifier

FLIP = make_task(
    [([[1, 2], [3, 4]], [[2, 1], [4, 3]]), ([[5, 6, 7]], [[7, 6, 5]])],
    tests=([[1, 0, 0]],),
)
GOOD = "def transform(grid):\n    return [row[::-1] for row in grid]\n"


def check(verifier, code, task=FLIP):
    return verifier.verify(task, textwrap.dedent(code))


def first_status(result):
    return result.train[0].status


def assert_still_works(verifier):
    # A unique statement makes the program new, so the cache cannot answer for the sandbox.
    result = verifier.verify(FLIP, GOOD + f"NONCE = {os.urandom(8).hex()!r}\n")
    assert result.passed and result.test == (((0, 0, 1),),)


def test_correct_program_passes_and_answers_the_test_input(verifier):
    result = check(verifier, GOOD)
    assert result.passed
    assert [p.status for p in result.train] == ["ok", "ok"]
    assert result.test == (((0, 0, 1),),)


@pytest.mark.parametrize("code", [
    "def transform(grid):\n    while True:\n        pass\n",
    "import time\ndef transform(grid):\n    time.sleep(1000)\n",
    "def transform(grid):\n    return sum(range(10 ** 13))\n",  # C-level loop: no Python signal handler runs
    # signals ignored and every exception swallowed
    """
    import signal
    for s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGVTALRM):
        signal.signal(s, signal.SIG_IGN)
    def transform(grid):
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass
    """,
    "while True:\n    pass\n",  # loops at import time, before transform exists
])
def test_program_that_never_returns_times_out(verifier, code):
    assert first_status(check(verifier, code)) == "timeout"
    assert_still_works(verifier)


@pytest.mark.parametrize("code", [
    "def transform(grid):\n    x = []\n    while True:\n        x.append([0] * 100000)\n",
    "import numpy as np\ndef transform(grid):\n    return np.ones((100000, 100000))\n",
    "def transform(grid):\n    return bytearray(10 ** 12)\n",
])
def test_program_that_allocates_without_bound_hits_memory(sandbox, code):
    # A generous time limit: touching 256 MiB page by page takes a while on a busy machine,
    # and this test is about the memory limit, not the clock.
    with Verifier(sandbox, SandboxLimits(timeout_s=20, memory_mb=256)) as roomy:
        assert first_status(check(roomy, code)) == "memory"
        assert_still_works(roomy)


def test_fork_and_spawn_are_refused_and_no_child_outlives_the_call(verifier):
    code = """
    import os
    def transform(grid):
        for attempt in (os.fork,
                        lambda: os.posix_spawn("/bin/sleep", ["sleep", "7777"], {}),
                        lambda: os.system("sleep 7777")):
            try:
                if attempt() == 0:
                    os._exit(0)
            except OSError:
                pass
        return [row[::-1] for row in grid]
    """
    result = check(verifier, code)
    assert result.passed  # nothing it tried worked, and it still returned the right grids
    sleepers = [p for p in psutil.process_iter(["cmdline"]) if "7777" in (p.info["cmdline"] or [])]
    assert sleepers == []


def test_fork_without_catching_is_an_error(verifier):
    result = check(verifier, "import os\ndef transform(grid):\n    os.fork()\n    return grid\n")
    assert first_status(result) == "error"
    assert "PermissionError" in result.train[0].detail


def test_starting_a_thread_is_an_error(verifier):
    code = """
    import threading
    def transform(grid):
        threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=True).start()
        return [row[::-1] for row in grid]
    """
    assert first_status(check(verifier, code)) == "error"


def test_flooding_stdout_and_stderr_is_harmless(verifier):
    code = """
    import sys
    def transform(grid):
        for _ in range(200):
            print("x" * 100000)
            sys.stderr.write("y" * 100000)
        return [row[::-1] for row in grid]
    """
    assert check(verifier, code).passed


def test_printing_forever_times_out(verifier):
    assert first_status(check(verifier, "def transform(grid):\n    while True:\n        print('spam' * 1000)\n")) == "timeout"


def test_unbounded_recursion_is_an_error(verifier):
    result = check(verifier, "def transform(grid):\n    return transform(grid)\n")
    assert first_status(result) == "error"
    assert "RecursionError" in result.train[0].detail


def test_recursion_past_the_c_stack_crashes_into_an_error(verifier):
    code = """
    import sys
    sys.setrecursionlimit(10 ** 9)
    class Endless:
        def __getattr__(self, name):
            return getattr(self, name)  # recurses through C, so the C stack runs out
    def transform(grid):
        return Endless().x
    """
    result = check(verifier, code)
    assert first_status(result) == "error"
    # Python 3.11 overflows the C stack (SIGSEGV); 3.12 guards it with a RecursionError.
    assert "SIGSEGV" in result.train[0].detail or "RecursionError" in result.train[0].detail
    assert_still_works(verifier)


def test_segfault_through_ctypes_is_an_error(verifier):
    result = check(verifier, "import ctypes\ndef transform(grid):\n    ctypes.memset(16, 0, 1)\n")
    assert first_status(result) == "error"
    assert "SIGSEGV" in result.train[0].detail
    assert_still_works(verifier)


@pytest.mark.parametrize("code", [
    "import os\ndef transform(grid):\n    os._exit(0)\n",
    "import os\nos._exit(3)\n",
    "import sys\ndef transform(grid):\n    sys.exit(0)\n",
])
def test_exiting_instead_of_returning_is_an_error(verifier, code):
    assert first_status(check(verifier, code)) == "error"
    assert_still_works(verifier)


@pytest.mark.parametrize("code", [
    "import os, signal\ndef transform(grid):\n    os.kill(os.getppid(), signal.SIGKILL)\n    return grid\n",
    "import os, signal\ndef transform(grid):\n    os.kill(1, signal.SIGKILL)\n    return grid\n",
    "import os, signal\ndef transform(grid):\n    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\n    return grid\n",
])
def test_killing_the_parent_fails_and_the_sandbox_survives(verifier, code):
    assert first_status(check(verifier, code)) == "error"
    assert_still_works(verifier)


def test_writing_files_fails_and_leaves_nothing(verifier, tmp_path):
    target = tmp_path / "written.txt"
    code = f"""
    def transform(grid):
        with open({str(target)!r}, "w") as f:
            f.write("pwned")
        return grid
    """
    result = check(verifier, code)
    assert first_status(result) == "error"
    assert "PermissionError" in result.train[0].detail
    assert not target.exists()


@pytest.mark.parametrize("path", ["SOLUTIONS", "README.md", "/etc/passwd", "/proc/self/environ",
                                  os.path.expanduser("~/.bashrc")])
def test_reading_files_fails(verifier, tmp_path, path):
    if path == "SOLUTIONS":
        path = str(tmp_path / "solutions.json")
        with open(path, "w") as f:
            f.write('{"t": [[[0, 0, 1]]]}')
    code = f"""
    def transform(grid):
        data = open({path!r}).read()
        return [[len(data) % 10]]
    """
    result = check(verifier, code)
    assert first_status(result) == "error"
    assert "PermissionError" in result.train[0].detail


def test_environment_secrets_are_not_visible(verifier):
    assert os.environ["ARC_TEST_SECRET"]  # set by conftest before the sandbox started
    task = make_task([([[0]], [[0]])], tests=([[0]],))
    code = """
    import os
    def transform(grid):
        return [[len(os.environ) + (1 if os.environ.get("ARC_TEST_SECRET") else 0)]]
    """
    assert check(verifier, code, task).passed  # 0 variables, no secret


def test_opening_a_socket_is_an_error(verifier):
    code = """
    import socket
    def transform(grid):
        socket.create_connection(("127.0.0.1", 9), timeout=0.2)
        return grid
    """
    assert first_status(check(verifier, code)) == "error"


def test_monkeypatching_builtins_and_modules_does_not_leak_into_the_next_program(verifier):
    vandal = """
    import builtins, json
    import numpy as np
    builtins.len = lambda x: 0
    builtins.list = tuple
    np.fliplr = lambda a: a
    json.dumps = lambda *a, **k: "garbage"
    def transform(grid):
        return grid
    """
    check(verifier, vandal)
    numpy_flip = "import numpy as np\ndef transform(grid):\n    return np.fliplr(np.array(grid))\n"
    assert check(verifier, numpy_flip).passed
    assert_still_works(verifier)


def test_mutating_the_input_cannot_alter_expected_outputs_or_later_pairs(verifier):
    task = make_task([([[1]], [[2]]), ([[1]], [[2]]), ([[1]], [[2]])], tests=([[1]],))
    code = """
    import gc
    SEEN = []
    def transform(grid):
        answer = [[grid[0][0] + 1]]
        SEEN.append(grid)
        for g in SEEN:
            g[0][0] = 5          # mutate this and every earlier input
        for obj in gc.get_objects():
            if type(obj) is list and obj == [1]:
                obj[0] = 7       # hunt for other copies of the inputs
        return answer
    """
    result = check(verifier, code, task)
    assert result.passed
    assert result.test == (((2,),),)
    assert task.train[0].input == ((1,),) and task.train[0].output == ((2,),)


def test_garbage_on_the_result_channel_is_invalid(verifier):
    code = "import os\ndef transform(grid):\n    os.write(3, b'\\xff' * 64)\n    return grid\n"
    assert first_status(check(verifier, code)) == "invalid"
    flood = "import os\ndef transform(grid):\n    while True:\n        os.write(3, b'\\x00\\x00\\x00\\x01[' * 4096)\n"
    assert first_status(check(verifier, flood)) == "invalid"
    assert_still_works(verifier)


def test_a_dead_worker_is_replaced_and_only_its_job_is_lost(sandbox, verifier):
    victim = sandbox._all[0]
    victim.proc.kill()
    victim.proc.wait()
    # Distinct programs, so that every worker, the dead one included, gets a job.
    codes = [GOOD + f"NONCE = 'after a worker died {i}'\n" for i in range(2 * sandbox.workers + 1)]
    results = [verifier.verify(FLIP, code) for code in codes]
    failed = [(code, r) for code, r in zip(codes, results) if not r.passed]
    assert len(failed) == 1 and "sandbox worker failed" in failed[0][1].train[0].detail
    # That failure is the sandbox's, not the program's: it is not cached, and a retry passes.
    assert verifier.verify(FLIP, failed[0][0]).passed
    assert len(sandbox._all) == sandbox.workers
    assert_still_works(verifier)


def test_identical_programs_for_the_same_task_run_once(sandbox, verifier):
    code = GOOD + "NONCE = 'run once'\n"
    same_modulo_layout = "# a comment\ndef transform( grid ):\n    return [row[::-1] for row in grid]\nNONCE = 'run once'\n"
    before = sandbox.jobs_run
    results = verifier.verify_many([(FLIP, code)] * 5 + [(FLIP, same_modulo_layout)])
    assert all(r.passed for r in results)
    assert sandbox.jobs_run - before == 1
    other_task = make_task([([[1, 2]], [[2, 1]])], tests=([[3, 4]],), task_id="other")
    assert verifier.verify(other_task, code).test == (((4, 3),),)
    assert sandbox.jobs_run - before == 2
    assert_still_works(verifier)


def test_closing_the_sandbox_leaves_no_process_behind():
    from kernel.sandbox import Sandbox

    sb = Sandbox(2, SandboxLimits(timeout_s=1.0, memory_mb=128), PRELOAD)
    sb.start()
    sb.run(GOOD, [[[1, 2]]])
    procs = [psutil.Process(w.proc.pid) for w in sb._all]
    procs += [c for p in procs for c in p.children(recursive=True)]
    assert len(procs) > 2  # the servers and their spare children
    sb.close()
    gone, alive = psutil.wait_procs(procs, timeout=5)
    assert alive == []
