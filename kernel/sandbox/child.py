"""What runs inside the forked child: lock the process down, then run the program.

Order matters: resource limits and the uid switch need privileges the seccomp filter
takes away, and every file the child may ever need must be open before the filter
forbids `open`. Everything the harness itself calls after the program has run is bound
to local names first, so a program that monkeypatches modules can only forge its own
result, which is no more than returning that result.
"""

from __future__ import annotations

import builtins
import os
import resource

from ..grids import GridError, canonical_json, parse_grid
from . import protocol
from .protocol import encode, read_frame

RESULT_FD = 3
JOB_FD = 4
HARDEN_FAILED_EXIT = 71  # the child could not lock itself down; its program never ran
NOBODY = 65534


def _vm_data_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 256 << 20


def prepare(job_r: int, result_w: int) -> int:
    """Lock-down steps that do not depend on the job; runs while the child waits as a spare.

    Returns the data size the child holds before any program runs (the memory limit is on
    top of it)."""
    os.setpgid(0, 0)  # own process group: the server kills the whole group, whatever it spawned
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.dup2(result_w, RESULT_FD)
    os.dup2(job_r, JOB_FD)
    os.closerange(JOB_FD + 1, 1 << 16)  # the server's protocol pipes, anything inherited
    for res, value in (
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, 0),
        (resource.RLIMIT_NOFILE, JOB_FD + 1),
    ):
        resource.setrlimit(res, (value, value))
    base = _vm_data_bytes()
    if os.geteuid() == 0:
        # Root in a container: become nobody, so root-only files stay unreadable and
        # RLIMIT_NPROC applies. A container without CAP_SETUID keeps the other layers.
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        except OSError:
            pass
    os.environ.clear()
    return base


def apply_job_limits(base_data: int, timeout_total_s: float, memory_mb: int, seccomp_filter) -> None:
    # RLIMIT_DATA rather than RLIMIT_AS: it caps real allocations without failing on the
    # address space numpy and OpenBLAS have already reserved. Soft and hard limits are
    # equal, so the program cannot raise them again.
    data = base_data + memory_mb * (1 << 20)
    cpu = int(timeout_total_s) + 2
    resource.setrlimit(resource.RLIMIT_DATA, (data, data))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU first, then SIGKILL
    os.close(JOB_FD)
    if seccomp_filter is not None:
        seccomp_filter.install()


class _InvalidGrid(Exception):
    pass


def _as_cell(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)  # np.zeros() is float by default; an integral float is still a color
    return v


def _as_row(row) -> list:
    if all(type(v) is int for v in row):
        return list(row)
    return [_as_cell(v) for v in row]


def normalize(out) -> list[list[int]]:
    """Turn whatever transform returned into a list of lists of ints, or raise _InvalidGrid."""
    if hasattr(out, "ndim") and hasattr(out, "tolist"):
        if out.ndim != 2:
            raise _InvalidGrid(f"returned a {out.ndim}-D array, expected 2-D")
        if getattr(out.dtype, "kind", "") not in ("i", "u", "f"):
            raise _InvalidGrid(f"returned an array of dtype {out.dtype}, expected integers")
        out = out.tolist()
    if not isinstance(out, (list, tuple)):
        raise _InvalidGrid(f"returned {type(out).__name__}, expected a grid")
    if len(out) > 30:
        raise _InvalidGrid(f"returned {len(out)} rows, expected 1..30")
    rows = []
    for row in out:
        if hasattr(row, "tolist"):
            row = row.tolist()
        if not isinstance(row, (list, tuple)):
            raise _InvalidGrid(f"a row is {type(row).__name__}, expected a list")
        if len(row) > 30:
            raise _InvalidGrid(f"a row has {len(row)} cells, expected 1..30")
        rows.append(_as_row(row))
    try:
        return [list(r) for r in parse_grid(rows)]
    except GridError as e:
        raise _InvalidGrid(str(e)) from None


def _describe(exc: BaseException) -> str:
    try:
        text = f"{type(exc).__name__}: {exc}"
    except BaseException:
        text = type(exc).__name__
    return text[:300]


def execute(job: dict) -> None:
    """Run the program on each input and stream one frame per input to RESULT_FD.

    The child runs every input it was given and never learns how any result was judged:
    the trusted parent compares each frame as it arrives and kills this process at the first
    wrong train output. The job holds the inputs only, without saying which are train inputs."""
    write, enc, canonical, frame_of = os.write, encode, canonical_json, protocol.frame
    inputs = tuple(tuple(tuple(r) for r in g) for g in job["inputs"])  # immutable: later pairs stay intact
    code = job["code"]
    del job

    def write_out(data: bytes) -> None:
        while data:
            data = data[write(RESULT_FD, data):]

    def send(frame: dict) -> None:
        write_out(enc(frame))

    namespace = {"__name__": "__sandbox__", "__builtins__": builtins}
    try:
        exec(compile(code, "<program>", "exec"), namespace)
        transform = namespace.get("transform")
        if not callable(transform):
            raise NameError("the program defines no transform(grid) function")
    except MemoryError:
        send({"status": "memory", "detail": "MemoryError while loading the program"})
        send({"end": True})
        return
    except BaseException as e:  # SystemExit and KeyboardInterrupt included: nothing escapes
        send({"status": "error", "detail": _describe(e)})
        send({"end": True})
        return

    for grid in inputs:
        try:
            grid_json = canonical(normalize(transform([list(r) for r in grid]))).encode()
            write_out(frame_of(b'{"status":"ok","grid":' + grid_json + b"}"))
        except MemoryError:
            send({"status": "memory", "detail": "MemoryError: memory limit reached"})
        except _InvalidGrid as e:
            send({"status": "invalid", "detail": str(e)[:300]})
        except BaseException as e:
            send({"status": "error", "detail": _describe(e)})
    send({"end": True})


def serve_one(job_r: int, result_w: int, seccomp_filter) -> None:
    """Entry point of a forked spare child: prepare, wait for one job, run it; never returns."""
    try:
        base = prepare(job_r, result_w)
        job = read_frame(JOB_FD)
        timeout_total = float(job["timeout_s"]) * max(1, len(job["inputs"])) + 1
        apply_job_limits(base, timeout_total, int(job["memory_mb"]), seccomp_filter)
    except BaseException:
        os._exit(HARDEN_FAILED_EXIT)
    try:
        execute(job)
    except BaseException:
        pass
    os._exit(0)
