"""The offline wheel set: what Kaggle's image lacks, as wheels for its Python and platform,
plus this project's own wheel; and a resolver run that proves the set installs with no index.

Packages the image already has are stood in for by empty "stub" wheels at exactly the image's
versions during the resolver run, so a requirement that needs another version of one of them
(vLLM built against another torch) fails there, by name, instead of on Kaggle."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
IMAGE_FILE = Path(__file__).with_name("kaggle-image.txt")
# Kaggle's image is x86-64 Linux with a recent glibc: manylinux wheels up to glibc 2.35 run there.
PLATFORMS = ["linux_x86_64", "manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"] + [
    f"manylinux_2_{minor}_x86_64" for minor in range(5, 36)]


class WheelError(RuntimeError):
    pass


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    name: str   # canonical
    spec: str   # the line as written (name, version specifiers, markers)


def read_requirements(path: str | Path) -> list[Requirement]:
    """Requirement lines (comments, blank lines and pip options are skipped)."""
    out = []
    for raw in Path(path).read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if not m:
            raise WheelError(f"{path}: cannot read requirement {raw!r}")
        out.append(Requirement(canonical(m.group(0)), line))
    return out


def read_image(path: str | Path = IMAGE_FILE) -> tuple[str, dict[str, str]]:
    """(python version, {canonical name: version}) from a `name==version` list."""
    python, packages = "3.11", {}
    for raw in Path(path).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep:
            raise WheelError(f"{path}: expected name==version, got {raw!r}")
        if canonical(name) == "python":
            python = version.strip()
        else:
            packages[canonical(name)] = version.strip()
    return python, packages


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(path: Path, files: dict[str, bytes], dist_info: str, metadata: str, extra: dict[str, str]) -> None:
    wheel = "Wheel-Version: 1.0\nGenerator: arc-kernel build_kernel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries = dict(files)
    entries[f"{dist_info}/METADATA"] = metadata.encode()
    entries[f"{dist_info}/WHEEL"] = wheel.encode()
    for name, text in extra.items():
        entries[f"{dist_info}/{name}"] = text.encode()
    record = [_record_line(n, d) for n, d in entries.items()] + [f"{dist_info}/RECORD,,"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(entries.items()):
            z.writestr(name, data)
        z.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")


def stub_wheel(folder: Path, name: str, version: str) -> Path:
    """An empty wheel that only says `name==version` is installed (for the resolver run)."""
    dist = re.sub(r"[-.]+", "_", name)
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    _write_wheel(path, {}, f"{dist}-{version}.dist-info",
                 f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", {})
    return path


def project_wheel(folder: Path, root: Path = ROOT) -> Path:
    """This project as a pure-Python wheel, built from pyproject.toml's metadata without a build
    backend (so it works offline): the `kernel` package with its TOML and template files."""
    import tomllib

    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    dist = re.sub(r"[-.]+", "_", name)
    files = {}
    for p in sorted((root / "kernel").rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".toml", ".txt"):
            files[p.relative_to(root).as_posix()] = p.read_bytes()
    metadata = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
                f"Summary: {project.get('description', '')}", f"Requires-Python: {project.get('requires-python', '')}"]
    metadata += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    scripts = project.get("scripts", {})
    entry_points = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items()) if scripts else ""
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    _write_wheel(path, files, f"{dist}-{version}.dist-info", "\n".join(metadata) + "\n",
                 {"entry_points.txt": entry_points} if entry_points else {})
    return path


def _platform_args(python: str) -> list[str]:
    args = ["--only-binary=:all:", "--python-version", python, "--implementation", "cp"]
    for p in PLATFORMS:
        args += ["--platform", p]
    return args


def download(requirements: list[Requirement], dest: Path, python: str, image: dict[str, str],
             offline: bool = False) -> None:
    """Fill the cache `dest` with wheels for `requirements` and their dependencies for the
    target Python and platform (the image's own packages are pinned, never downloaded)."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted = [r.spec for r in requirements if r.name not in image]
    if not wanted or offline:
        return
    with _stubs(image) as stubs:
        cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet", "-d", str(dest),
               "--find-links", str(stubs), *_platform_args(python), *wanted]
        p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise WheelError("pip download failed: " + _pip_error(p.stderr))
    for stub in dest.glob("*-py3-none-any.whl"):  # pip copies the stubs it used: they are not real
        if _is_stub(stub):
            stub.unlink()


@contextlib.contextmanager
def _stubs(image: dict[str, str]) -> Iterator[Path]:
    """A temporary folder of stub wheels for the image's packages."""
    with tempfile.TemporaryDirectory(prefix="image-stubs-") as tmp:
        for name, version in image.items():
            stub_wheel(Path(tmp), name, version)
        yield Path(tmp)


def _is_stub(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            wheel = next((n for n in z.namelist() if n.endswith(".dist-info/WHEEL")), None)
            return wheel is not None and b"arc-kernel build_kernel" in z.read(wheel) and \
                not any(n.endswith(".py") for n in z.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _pip_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("ERROR") or "No matching distribution" in ln]
    return "; ".join(lines[-3:]) or stderr.strip()[-500:]


@dataclass(frozen=True)
class Resolution:
    ok: bool
    installs: list[str]   # name==version that pip would install from the bundle
    missing: list[str]    # packages no wheel in the bundle provides
    error: str


def resolve_offline(requirements: list[str], wheel_dir: Path, python: str, image: dict[str, str]) -> Resolution:
    """pip's resolver with no index, only the bundle (and stubs for the image's packages), for
    the target Python and platform: what Kaggle's `pip install --no-index` will do."""
    import json

    with _stubs(image) as stubs, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp, "report.json")
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--disable-pip-version-check", "--quiet",
               "--no-index", "--find-links", str(wheel_dir), "--find-links", str(stubs), *_platform_args(python),
               "--target", str(Path(tmp, "target")), "--report", str(report), *requirements]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            missing = sorted(set(re.findall(r"No matching distribution found for ([A-Za-z0-9._-]+)", p.stderr)))
            return Resolution(False, [], missing, _pip_error(p.stderr))
        data = json.loads(report.read_text())
    installs = [f"{i['metadata']['name']}=={i['metadata']['version']}" for i in data.get("install", [])
                if canonical(i["metadata"]["name"]) not in image]
    return Resolution(True, installs, [], "")
