"""Length-prefixed JSON frames over pipes. Nothing from a sandboxed program is ever
unpickled: frames are plain JSON, sizes are capped before anything is read."""

from __future__ import annotations

import json
import os
import struct
from typing import Any

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024  # between trusted parent and server: jobs with 30x30 grids stay far below


class FrameError(Exception):
    pass


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


def encode(obj: Any) -> bytes:
    return frame(dumps(obj))


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_frame(fd: int, obj: Any) -> None:
    write_all(fd, encode(obj))


def _read_exact(fd: int, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_raw_frame(fd: int, max_bytes: int = MAX_FRAME) -> bytes:
    (length,) = _HEADER.unpack(_read_exact(fd, _HEADER.size))
    if length > max_bytes:
        raise FrameError(f"frame of {length} bytes exceeds {max_bytes}")
    return _read_exact(fd, length)


def read_frame(fd: int, max_bytes: int = MAX_FRAME) -> Any:
    raw = read_raw_frame(fd, max_bytes)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise FrameError(f"bad frame: {e}") from None


def split_frames(buf: bytearray, max_bytes: int) -> list[Any]:
    """Pop every complete frame off the front of `buf` (an untrusted byte stream)."""
    out = []
    while len(buf) >= _HEADER.size:
        (length,) = _HEADER.unpack_from(buf)
        if length > max_bytes:
            raise FrameError(f"frame of {length} bytes exceeds {max_bytes}")
        if len(buf) < _HEADER.size + length:
            break
        payload = bytes(buf[_HEADER.size:_HEADER.size + length])
        del buf[:_HEADER.size + length]
        try:
            out.append(json.loads(payload))
        except (ValueError, RecursionError) as e:
            raise FrameError(f"bad frame: {e}") from None
    return out
