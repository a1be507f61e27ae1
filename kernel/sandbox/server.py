"""The fork server: one per sandbox worker, started by `client.Sandbox` with a scrubbed
environment, in an empty working directory, holding nothing but the modules programs may
use. It is never given expected outputs, anything derived from them, or solutions, so a
child that inspects its own memory (or the server's, inherited through fork) finds none of
them; at most, remnants of grids earlier programs returned, which it relayed.

Protocol with the client, per job: header frame {"n", "timeout_s"} and the job payload in;
one {"result": ...} frame out per input as the child produces it; the client may send
{"stop": true} at any time (a train output was wrong), and the child's group is killed at
once; a closing {"done": true, "elapsed_s"} frame ends the job. The per-input timeout is
enforced from this side with SIGKILL to the child's process group (the only timeout a
program cannot dodge); the child is reaped after the reply.
"""

from __future__ import annotations

import collections
import gc
import importlib
import os
import select
import signal
import sys
import time
import types

from . import child, seccomp
from .protocol import FrameError, frame, read_frame, read_raw_frame, split_frames, write_all, write_frame

CHILD_MAX_FRAME = 256 * 1024   # a 30x30 grid is under 2 KB of JSON
CHILD_MAX_BYTES = 4 * 1024 * 1024
SPARES = 2
STATUSES = {"ok", "error", "timeout", "memory", "invalid"}


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _death_result(status: int) -> dict:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return {"status": "timeout", "detail": "CPU time limit reached"}
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        why = {"SIGSEGV": "crashed", "SIGBUS": "crashed", "SIGABRT": "aborted", "SIGSYS": "made a forbidden system call"}
        return {"status": "error", "detail": f"program {why.get(name, 'was killed')} ({name})"}
    code = os.WEXITSTATUS(status)
    if code == child.HARDEN_FAILED_EXIT:
        return {"status": "error", "detail": "sandbox could not lock the child down; program not run"}
    return {"status": "error", "detail": f"program exited (code {code}) before returning a result"}


def _clean(msg: object) -> dict:
    if not isinstance(msg, dict) or msg.get("status") not in STATUSES:
        return {"status": "invalid", "detail": "malformed result frame"}
    out = {"status": msg["status"], "detail": str(msg.get("detail", ""))[:300]}
    if msg["status"] == "ok":
        out["grid"] = msg.get("grid")
    return out


class Spare:
    """A child forked ahead of time, locked down as far as it can be without the job, and
    blocked reading its job. Forking and reaping happen between jobs, not inside them."""

    def __init__(self, seccomp_filter) -> None:
        self.status: int | None = None  # wait status once reaped
        job_r, self.job_w = os.pipe()
        self.result_r, result_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.job_w)
            os.close(self.result_r)
            child.serve_one(job_r, result_w, seccomp_filter)
        os.close(job_r)
        os.close(result_w)
        try:
            os.setpgid(self.pid, self.pid)  # also done by the child; whichever runs first wins the race
        except OSError:
            pass

    def kill(self) -> None:
        """SIGKILL the child's group; never after reaping, when the pid may belong to another."""
        if self.status is None:
            _kill_group(self.pid)

    def reaped(self) -> bool:
        """Reap without waiting; True once the child is gone."""
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == 0:
                return False
            self._close_pipes()
            self.status = status
        return True

    def _close_pipes(self) -> None:
        for fd in (self.job_w, self.result_r):
            os.close(fd)

    def discard(self) -> int:
        """Kill the child's whole group and reap it (once); returns its wait status."""
        if self.status is None:
            self.kill()
            self._close_pipes()
            self.status = os.waitpid(self.pid, 0)[1]
        return self.status


def run_job(header: dict, payload: bytes, spare: Spare, proto_in: int, proto_out: int) -> dict:
    """Run one job in `spare`, forwarding each result to the client the moment it arrives.

    The client alone knows the expected outputs: it answers a wrong train result with a stop
    frame, and the child's group is killed then, mid-way through whatever it was computing.
    A child that ended cleanly is killed but left for the caller to reap after replying,
    since its exit status no longer matters. Returns the closing frame."""
    n = n_inputs = int(header["n"])
    timeout_s = float(header["timeout_s"])
    t0 = time.monotonic()
    sent = 0
    buf = bytearray()
    ended = stopped = False
    failure: dict | None = None
    try:
        write_all(spare.job_w, frame(payload))
    except OSError:
        failure = {"status": "error", "detail": "sandbox child died before its job"}
        n = 0
    r = spare.result_r
    deadline = time.monotonic() + timeout_s
    try:
        while not ended and not stopped and sent < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                failure = {"status": "timeout", "detail": f"no result within {timeout_s:g} s"}
                break
            ready, _, _ = select.select([r, proto_in], [], [], remaining)
            if proto_in in ready:  # the client has judged a train output wrong
                stopped = True
                break
            if not ready:
                continue
            chunk = os.read(r, 65536)
            if not chunk:
                break
            buf += chunk
            if len(buf) > CHILD_MAX_BYTES:
                failure = {"status": "invalid", "detail": "program flooded the result channel"}
                break
            for msg in split_frames(buf, CHILD_MAX_FRAME):
                if isinstance(msg, dict) and msg.get("end") is True:
                    ended = True
                    break
                if sent < n_inputs:
                    write_frame(proto_out, {"result": _clean(msg)})
                    sent += 1
                deadline = time.monotonic() + timeout_s
    except FrameError:
        failure = {"status": "invalid", "detail": "program garbled the result channel"}
    if stopped or ended or sent >= n_inputs:
        spare.kill()  # nothing may outlive the call, even before it is reaped
    else:
        write_frame(proto_out, {"result": failure or _death_result(spare.discard())})
    if stopped:
        # Read outside the child's stream handling: a bad frame here is the client's fault,
        # and it ends this server (main), never a program's verdict.
        msg = read_frame(proto_in)
        if not (isinstance(msg, dict) and msg.get("stop") is True):
            raise FrameError("the client sent something other than a stop frame mid-job")
    return {"done": True, "elapsed_s": time.monotonic() - t0}


def _probe(seccomp_filter) -> tuple[bool, str]:
    """Fork a child that installs the filter and checks that open() and fork() are refused."""
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            seccomp_filter.install()
            code = 0
            for attempt in (lambda: os.open("/", os.O_RDONLY), os.fork):
                try:
                    got = attempt()
                    if got == 0:
                        os._exit(9)
                    code = 1
                except PermissionError:
                    pass
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    detail = {0: "seccomp filter active", 1: "seccomp filter loaded but not enforced",
              2: "seccomp filter could not be loaded"}.get(code, f"seccomp probe failed ({status})")
    return code == 0, detail


def main() -> None:
    # Protocol on private copies of stdin/stdout, so a stray print in any loaded module
    # can never corrupt it; fds 0/1 then point at harmless places.
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the client decides when this process ends

    init = read_frame(proto_in)
    missing = []
    for name in init.get("preload", []):
        try:
            importlib.import_module(name)
        except Exception:
            missing.append(name)
    for name, source in init.get("modules", {}).items():  # a model's own module (BARC's common)
        module = types.ModuleType(name)
        module.__file__ = f"<{name}>"
        sys.modules[name] = module
        try:
            exec(compile(source, f"<{name}>", "exec"), module.__dict__)
        except Exception as e:
            del sys.modules[name]
            missing.append(f"{name} ({type(e).__name__}: {e})"[:300])
    seccomp_filter = None
    enforced, detail = False, "seccomp unsupported on this platform"
    if seccomp.supported():
        try:
            seccomp_filter = seccomp.Filter()
            enforced, detail = _probe(seccomp_filter)
        except Exception as e:  # no prctl, odd libc: run with the other layers
            detail = f"seccomp unavailable: {e}"
        if not enforced:
            seccomp_filter = None
    write_frame(proto_out, {"ready": True, "seccomp": enforced, "detail": detail,
                            "uid_switch": os.geteuid() == 0, "missing_preload": missing})
    gc.freeze()  # fewer copy-on-write faults in every forked child
    # Two spares: the one used next has had a whole job's time to finish starting up.
    spares = collections.deque(Spare(seccomp_filter) for _ in range(SPARES))
    dying: list[Spare] = []
    while True:
        try:
            header = read_frame(proto_in)
            if "stop" in header:
                continue  # a stop that crossed the end of its job on the way
            payload = read_raw_frame(proto_in)
        except (EOFError, FrameError):
            for s in dying + list(spares):
                s.discard()
            return
        spare = spares.popleft()
        try:
            reply = run_job(header, payload, spare, proto_in, proto_out)
        except (EOFError, FrameError, OSError):  # the client went away mid-job
            for s in dying + list(spares) + [spare]:
                s.discard()
            return
        except Exception as e:  # a bug here must not take the worker down silently
            reply = {"done": True, "error": f"{type(e).__name__}: {e}"}
        write_frame(proto_out, reply)
        # Fork the next spare first and reap the old child later: its address space is
        # torn down on another core meanwhile instead of inside this loop.
        spare.kill()
        dying.append(spare)
        spares.append(Spare(seccomp_filter))
        dying = [s for s in dying if not s.reaped()]


if __name__ == "__main__":
    sys.exit(main())
