"""Verification integrity: a program learns nothing about the expected outputs.

The secret task below cannot be solved honestly (every input is the same 3x3 grid, the
outputs differ), so a program passes it only by finding the expected outputs, or hashes of
them, somewhere it can reach. Each hunter looks in one kind of place and, when it finds
nothing, answers with a 2x2 grid: "wrong: expected 1x1, got 2x2" proves it ran to the end
and came back empty-handed. The control tests run the same hunters outside the sandbox with
the secrets planted where they look, to show the hunters would find them if they were there.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import types

import pytest

from conftest import make_task
from kernel.sandbox import SandboxLimits
from kernel.sandbox import client as sandbox_client
from kernel.verify import Verifier

ZEROS = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
SECRET = make_task([(ZEROS, [[3]]), (ZEROS, [[8]]), (ZEROS, [[5]])], tests=(ZEROS,), task_id="secret")

# What every hunter shares: recognise a secret, and turn one into the answer for the k-th call.
HUNTER_LIB = r'''
import gc, hashlib, json, os, sys, types

HEX = frozenset("0123456789abcdef")
CALLS = []
FOUND = []


def is_digest(x):
    return type(x) is str and len(x) == 64 and frozenset(x) <= HEX


def is_one_cell_grid(x):  # the secret outputs are 1x1; every input is 3x3
    return (isinstance(x, (list, tuple)) and len(x) == 1 and isinstance(x[0], (list, tuple))
            and len(x[0]) == 1 and type(x[0][0]) is int)


def collect(obj, seen, depth):
    """Every sequence of digests or of 1x1 grids reachable from obj, into FOUND."""
    if depth < 0 or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (str, bytes, bytearray)):
        if len(obj) < (1 << 20) and obj[:1] in ("{", "[", b"{", b"["):
            try:
                collect(json.loads(obj), seen, depth)  # a raw frame left in memory
            except Exception:
                pass
        return
    if isinstance(obj, (list, tuple)) and obj:
        if all(is_digest(x) for x in obj) or all(is_one_cell_grid(x) for x in obj):
            FOUND.append(list(obj))
            return
        items = list(obj)
    elif isinstance(obj, dict):
        try:
            items = list(obj.values())
        except Exception:  # a lazy mapping that imports on access (transformers has some)
            return
    elif isinstance(obj, types.FunctionType):
        items = list(obj.__defaults__ or ())
        for cell in obj.__closure__ or ():
            try:
                items.append(cell.cell_contents)
            except ValueError:  # a cell not filled yet
                pass
    elif isinstance(obj, types.FrameType):
        items = [obj.f_locals, obj.f_globals]
    else:
        return
    for x in items:
        collect(x, seen, depth - 1)


def answer():
    k = len(CALLS)
    CALLS.append(k)
    for seq in FOUND:
        if k < len(seq):
            x = seq[k]
            if isinstance(x, str):  # a digest: hash every 1x1 grid until one matches
                for c in range(10):
                    if hashlib.sha256(json.dumps([[c]], separators=(",", ":")).encode()).hexdigest() == x:
                        return [[c]]
            else:
                return [[int(x[0][0])]]
    return [[0, 0], [0, 0]]  # nothing found
'''

HUNTERS = {
    # every frame up the stack from transform: locals, globals, closures, defaults
    "stack frames": """
    def transform(grid):
        if not CALLS:
            f = sys._getframe(0)
            while f is not None:
                collect(f, set(), 4)
                f = f.f_back
        return answer()
    """,
    # every object the garbage collector tracks, and what each holds directly
    "gc objects": """
    def transform(grid):
        if not CALLS:
            seen = set()
            for obj in gc.get_objects():
                collect(obj, seen, 1)
        return answer()
    """,
    # the globals of every module loaded (everything preloaded for programs included)
    "module globals": """
    def transform(grid):
        if not CALLS:
            seen = set()
            for module in list(sys.modules.values()):
                collect(getattr(module, "__dict__", {}), seen, 3)
        return answer()
    """,
    # whatever is left to read on any file descriptor the child holds
    "open descriptors": """
    def transform(grid):
        if not CALLS:
            for fd in range(64):
                try:
                    os.set_blocking(fd, False)
                    data = os.read(fd, 1 << 20)
                except Exception:
                    continue
                collect(data[4:] if len(data) > 4 else data, set(), 4)
        return answer()
    """,
}


def hunter(where: str) -> str:
    return HUNTER_LIB + textwrap.dedent(HUNTERS[where])


def canonical_digest(grid) -> str:
    return hashlib.sha256(json.dumps(grid, separators=(",", ":")).encode()).hexdigest()


@pytest.fixture()
def patient_verifier(sandbox):
    # Hunting through every object of a process takes a while on a busy machine: this
    # is about what the program finds, not the clock.
    with Verifier(sandbox, SandboxLimits(timeout_s=20, memory_mb=256)) as v:
        yield v


@pytest.mark.parametrize("where", list(HUNTERS))
def test_a_program_hunting_for_the_expected_outputs_finds_nothing_and_is_rejected(patient_verifier, where):
    result = patient_verifier.verify(SECRET, hunter(where))
    assert not result.passed
    assert [(p.status, p.detail) for p in result.train] == [("wrong", "expected 1x1, got 2x2")]
    assert result.test == (None,)


def hunt_in_process(where: str) -> list:
    """Run a hunter's first call here, in the test process; what it found."""
    ns: dict = {}
    exec(compile(hunter(where), "<hunter>", "exec"), ns)
    ns["transform"]([list(r) for r in ZEROS])
    return ns["FOUND"]


# Planted secrets are built inside the tests, never as module globals, so that what a hunter
# finds is what the test planted.
def planted_grids() -> list:
    return [[[6]], [[1]], [[4]]]


def planted(kind: str) -> list:
    grids = planted_grids()
    return grids if kind == "grids" else [canonical_digest(g) for g in grids]


def test_control_a_hunter_that_finds_digests_answers_every_pair():
    ns: dict = {}
    exec(compile(HUNTER_LIB, "<hunter>", "exec"), ns)
    ns["FOUND"].append(planted("digests"))
    assert [ns["answer"]() for _ in range(3)] == planted_grids()


@pytest.mark.parametrize("kind", ["grids", "digests"])
def test_control_the_stack_hunter_finds_secrets_held_by_a_caller(kind):
    def harness(expected):  # a verifier that kept the secret in a local
        return hunt_in_process("stack frames")

    secret = planted(kind)
    assert secret in harness(list(secret))


@pytest.mark.parametrize("kind", ["grids", "digests"])
def test_control_the_module_hunter_finds_secrets_in_module_globals(kind, monkeypatch):
    module = types.ModuleType("planted_secrets")
    module.EXPECTED = planted(kind)
    monkeypatch.setitem(sys.modules, "planted_secrets", module)
    assert planted(kind) in hunt_in_process("module globals")


def test_control_the_gc_hunter_finds_secrets_anywhere_in_memory():
    holder = {"job": {"digests": planted("digests")}}
    assert planted("digests") in hunt_in_process("gc objects")
    del holder


def test_control_the_descriptor_hunter_reads_what_is_left_in_a_pipe():
    # In a child interpreter: the hunter drains every descriptor it can, pytest's included.
    script = textwrap.dedent(f"""
    import json, os
    r, w = os.pipe()
    os.write(w, b"\\0\\0\\0\\0" + json.dumps({{"digests": {planted("digests")!r}}}).encode())
    ns = {{}}
    exec({hunter("open descriptors")!r}, ns)
    ns["transform"]([[0]])
    print(json.dumps(ns["FOUND"]))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    assert planted("digests") in json.loads(out.stdout)


def test_the_job_a_child_gets_is_the_same_whatever_the_expected_outputs_and_the_train_test_split(
        sandbox, monkeypatch):
    """What crosses into the sandbox, byte for byte: only the program, the inputs in order and
    the limits. So neither the expected outputs nor which inputs are train inputs can leak."""
    sent: list[tuple[dict, bytes]] = []
    real_request = sandbox_client._Worker.request

    def spy(self, header, payload, expected, timeout):
        sent.append((header, payload))
        return real_request(self, header, payload, expected, timeout)

    monkeypatch.setattr(sandbox_client._Worker, "request", spy)
    a, b, c = [[1, 2]], [[3, 4]], [[5, 6]]
    code = "def transform(grid):\n    return grid\n"
    tasks = [
        make_task([(a, [[0]]), (b, [[0]])], tests=(c,), task_id="one"),
        make_task([(a, [[9]]), (b, [[9, 9]])], tests=(c,), task_id="two"),  # other outputs
        make_task([(a, [[5]])], tests=(b, c), task_id="three"),             # another split
    ]
    with Verifier(sandbox) as v:
        for t in tasks:
            v.verify(t, code)
    assert len(sent) == 3
    assert sent[0] == sent[1] == sent[2]
    header, payload = sent[0]
    assert set(header) == {"n", "timeout_s"}
    assert set(json.loads(payload)) == {"code", "inputs", "timeout_s", "memory_mb"}
    assert json.loads(payload)["inputs"] == [a, b, c]


def test_a_program_wrong_on_the_first_pair_is_stopped_not_waited_for(sandbox):
    """The parent kills the child at the first wrong train output: a program that would then
    loop forever costs nothing like its 30 s limit."""
    code = textwrap.dedent("""
    CALLS = []
    def transform(grid):
        CALLS.append(1)
        while len(CALLS) > 1:
            pass
        return grid
    """)
    task = make_task([([[1]], [[2]]), ([[1]], [[2]])], tests=([[1]],))
    with Verifier(sandbox, SandboxLimits(timeout_s=30, memory_mb=256)) as v:
        result = v.verify(task, code)
    assert [p.status for p in result.train] == ["wrong"]
    assert result.elapsed_s < 15
