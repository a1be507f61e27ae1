"""The offline wheel set: what Kaggle's image lacks or has in a version the requirements refuse,
as wheels for its Python and platform, plus this project's own wheel; and a resolver run that
proves the set installs with no index.

The plan is made with pip's resolver against the image's packages: torch, triton and the NVIDIA
libraries are pinned at the image's versions (a requirement needing others stops the build), every
other image package is kept when the requirements accept its version and upgraded (bundled) when
they do not. In every resolver run the image's packages are stood in for by empty "stub" wheels at
exactly the image's versions, so a conflict fails here, by name, instead of on Kaggle."""

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
# Replacing these would break the image's CUDA stack (and cost GBs): the bundle must fit them.
PROTECTED = frozenset({"torch", "torchvision", "torchaudio", "triton"})
PROTECTED_PREFIXES = ("nvidia-", "cuda-")


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


@dataclass(frozen=True)
class Image:
    """What Kaggle's image has: its Python (for the wheel tags) and {canonical name: version}."""

    python: str
    packages: dict[str, str]

    def without(self, names) -> "Image":
        drop = {canonical(n) for n in names}
        return Image(self.python, {n: v for n, v in self.packages.items() if n not in drop})


def read_image(path: str | Path = IMAGE_FILE) -> Image:
    """The image list: `python==X.Y` and `name==version` lines (comments after #)."""
    python, packages = None, {}
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
    if python is None:
        raise WheelError(f"{path}: no python==X.Y line (the image's Python, for the wheel tags)")
    return Image(python, packages)


def parse_freeze(text: str) -> tuple[str | None, dict[str, str], list[str]]:
    """What a Kaggle notebook printed for `!python --version; pip list --format=freeze`, pasted as it
    is: (Python X.Y or None, {canonical name: version}, the lines that were not understood). Notebook
    chatter (warnings, "Note: ...") is skipped; `name @ url` lines carry no version and are skipped."""
    python, packages, skipped = None, {}, []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"(?:Python\s+|python==)(\d+)\.(\d+)(?:\.\d+\S*)?", line)
        if m:
            python = f"{m.group(1)}.{m.group(2)}"
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)", line)
        if m:
            packages[canonical(m.group(1))] = m.group(2)
        else:
            skipped.append(raw)
    return python, packages, skipped


def image_list_text(image: Image, source: str) -> str:
    """An image list written from a notebook's freeze (`build_kernel.py --image-freeze`)."""
    head = ["# Packages the Kaggle Python image has (GPU image), with their versions: read by build_kernel.py,",
            f"# written by `build_kernel.py --image-freeze` from {source}.",
            "# The `python==` line is the image's Python version, used for the wheel tags.",
            f"python=={image.python}"]
    return "\n".join(head + [f"{n}=={v}" for n, v in sorted(image.packages.items())]) + "\n"


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


def stub_wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] | list[str] = ()) -> Path:
    """An empty wheel that only says `name==version` is installed (for the resolver runs), with
    these Requires-Dist lines if any."""
    dist = re.sub(r"[-.]+", "_", name)
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    _write_wheel(path, {}, f"{dist}-{version}.dist-info", metadata, {})
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


def is_protected(name: str) -> bool:
    """Packages the build never replaces in the image: torch and what is built against it."""
    n = canonical(name)
    return n in PROTECTED or n.startswith(PROTECTED_PREFIXES)


@contextlib.contextmanager
def _stubs(packages: dict[str, str]) -> Iterator[Path]:
    """A temporary folder of stub wheels standing in for the image's packages."""
    with tempfile.TemporaryDirectory(prefix="image-stubs-") as tmp:
        for name, version in packages.items():
            stub_wheel(Path(tmp), name, version)
        yield Path(tmp)


def _pip_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines()
             if ln.startswith("ERROR") or "No matching distribution" in ln or " depends on " in ln]
    return "; ".join(lines[-4:]) or stderr.strip()[-500:]


def _dry_run(requirements: list[str], image: dict[str, str], python: str, sources: list[str],
             pinned: dict[str, str] | None = None) -> tuple[list[dict], str]:
    """pip's resolver for the target Python and platform, nothing installed: (the report's
    install items, pip's error or ""). The image's packages are offered as empty stub wheels;
    `pinned` ones (default: all of them) are constraints; `sources` are pip's index options (the
    index, or --no-index --find-links)."""
    import json

    pinned = image if pinned is None else pinned
    with _stubs(image) as folder, tempfile.TemporaryDirectory() as tmp:
        report, constraints = Path(tmp, "report.json"), Path(tmp, "constraints.txt")
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in pinned.items()))
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--disable-pip-version-check",
               *sources, "--find-links", str(folder), "-c", str(constraints), *_platform_args(python),
               "--target", str(Path(tmp, "target")), "--report", str(report), *requirements]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:   # pip says what conflicts on stdout, what failed on stderr
            return [], p.stdout + "\n" + p.stderr
        return json.loads(report.read_text()).get("install", []), ""


@dataclass(frozen=True)
class Resolution:
    ok: bool
    installs: list[str]   # name==version that pip would install from the bundle
    missing: list[str]    # packages no wheel in the bundle provides
    error: str


def resolve_offline(requirements: list[str], wheel_dir: Path, image: Image) -> Resolution:
    """pip's resolver with no index, only the bundle and stubs for the image's packages, for the
    image's Python and platform: what Kaggle's `pip install --no-index` will do."""
    items, err = _dry_run(requirements, image.packages, image.python, ["--no-index", "--find-links", str(wheel_dir)])
    if err:
        missing = sorted(set(re.findall(r"No matching distribution found for ([A-Za-z0-9._-]+)", err)))
        return Resolution(False, [], missing, _pip_error(err))
    installs = [f"{i['metadata']['name']}=={i['metadata']['version']}" for i in items
                if canonical(i["metadata"]["name"]) not in image.packages]
    return Resolution(True, installs, [], "")


# --- the install plan -------------------------------------------------------------------------

@dataclass(frozen=True)
class Upgrade:
    """An image package the requirements need in another version: the bundle carries that one."""

    name: str
    image: str
    bundled: str
    needed_by: str   # the requirement(s) the image's version fails, e.g. "vllm 0.19.1: protobuf>=5.29.6"


@dataclass(frozen=True)
class Plan:
    bundle: dict[str, str]     # canonical name -> version: wheels the bundle must carry
    upgrades: list[Upgrade]
    kept: list[str]            # image packages used as they are


def _target_env(python: str) -> dict[str, str]:
    full = python if python.count(".") >= 2 else python + ".0"
    return {"python_version": ".".join(python.split(".")[:2]), "python_full_version": full, "os_name": "posix",
            "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
            "platform_release": "", "platform_version": "", "implementation_name": "cpython",
            "implementation_version": full, "platform_python_implementation": "CPython"}


def _applicable(items: list[dict], requirements: list[str], python: str) -> list[tuple[str, object]]:
    """Every (who, Requirement) that holds in the resolved set on the target: top-level lines and
    each resolved package's Requires-Dist under the extras something asked of it."""
    Req, InvalidRequirement, _, _ = _packaging()
    env = _target_env(python)
    extras: dict[str, set[str]] = {}
    top = []
    for line in requirements:
        try:
            r = Req(line)
        except InvalidRequirement:   # a wheel path (this project's own wheel)
            continue
        top.append(("requirements-offline.txt", r))
        extras.setdefault(canonical(r.name), set()).update(r.extras)
    found: list[tuple[str, object]] = []
    changed = True
    while changed:   # extras asked for pull in more requirements, which may ask for more extras
        changed = False
        found = list(top)
        for item in items:
            meta = item["metadata"]
            name = canonical(meta["name"])
            for line in meta.get("requires_dist") or []:
                r = Req(line)
                if r.marker is not None and not any(r.marker.evaluate({**env, "extra": e})
                                                     for e in {""} | extras.get(name, set())):
                    continue
                found.append((f"{meta['name']} {meta['version']}", r))
                new = set(r.extras) - extras.get(canonical(r.name), set())
                if new:
                    extras.setdefault(canonical(r.name), set()).update(new)
                    changed = True
    return found


def plan_install(requirements: list[str], image: Image, sources: list[str]) -> Plan:
    """What the bundle must carry so that `requirements` install on the image: the packages the
    image lacks, and the image's packages whose version the requirements refuse (upgrades). The
    image's torch, triton and NVIDIA libraries are pinned as they are: needing others is an error."""
    Version = _packaging()[2]
    pinned = {n: v for n, v in image.packages.items() if is_protected(n)}
    extra: list[str] = []
    for _ in range(4):
        items, err = _dry_run(requirements + extra, image.packages, image.python, sources, pinned)
        if err:
            missing = sorted(set(re.findall(r"No matching distribution found for ([A-Za-z0-9._-]+)", err)))
            raise WheelError(_protected_conflict(requirements, image, sources, err)
                             or f"the requirements do not resolve for Python {image.python}"
                             + (f": missing {', '.join(missing)}" if missing else "") + f" ({_pip_error(err)})")
        needs: dict[str, list[tuple[str, object]]] = {}
        for who, r in _applicable(items, requirements, image.python):
            needs.setdefault(canonical(r.name), []).append((who, r))
        # pip evaluates environment markers for the Python it runs on, not --python-version: a
        # requirement that holds only on the image's Python is added by hand and pip asked again.
        broken = sorted({f"{r.name}{r.specifier}" for item in items
                         for who, r in needs.get(canonical(item["metadata"]["name"]), [])
                         if not r.specifier.contains(Version(item["metadata"]["version"]), prereleases=True)})
        if not broken:
            break
        extra += [b for b in broken if b not in extra]
    else:
        raise WheelError(f"no consistent plan for Python {image.python}: {', '.join(broken)}")
    bundle, upgrades, kept = {}, [], []
    for item in items:
        name, version = canonical(item["metadata"]["name"]), item["metadata"]["version"]
        have = image.packages.get(name)
        if have is None:
            bundle[name] = version
            continue
        refused = [(who, r) for who, r in needs.get(name, []) if not r.specifier.contains(Version(have), prereleases=True)]
        if not refused:
            kept.append(name)
        elif is_protected(name):   # cannot happen: pinned above; kept as a guard for the rule
            raise WheelError(f"{name} {have} is the image's and is never replaced")
        else:
            bundle[name] = version
            upgrades.append(Upgrade(name, have, version, "; ".join(f"{who}: {r}" for who, r in refused)))
    return Plan(bundle, upgrades, sorted(kept))


def _protected_conflict(requirements: list[str], image: Image, sources: list[str], err: str) -> str | None:
    """When a pinned requirement needs another torch (or triton, CUDA library) than the image's,
    say so and name the newest release of it that runs on the image's."""
    names = {canonical(n) for n in re.findall(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", err)} | \
        {canonical(n) for n in re.findall(r"depends on ([A-Za-z0-9][A-Za-z0-9._-]*)", err)}
    clash = sorted(n for n in names if is_protected(n) and n in image.packages)
    if not clash:
        return None
    pinned = {n: v for n, v in image.packages.items() if is_protected(n)}
    have = ", ".join(f"{n} {image.packages[n]}" for n in clash)
    for line in requirements:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==", line)
        if not m:
            continue
        if not _dry_run([line], image.packages, image.python, sources, pinned)[1]:
            continue   # this line alone fits the image's torch: another one is the culprit
        found, _ = _dry_run([m.group(1)], image.packages, image.python, sources, pinned)
        newest = next((i["metadata"]["version"] for i in found if canonical(i["metadata"]["name"]) == canonical(m.group(1))),
                      None)
        hint = (f"the newest {m.group(1)} release that runs on it is {newest}: pin {m.group(1)}=={newest} in "
                "requirements-offline.txt") if newest else f"pin the {m.group(1)} release built against it"
        return (f"{line.strip()} needs another {'/'.join(clash)} than the image's ({have}), and the build never "
                f"replaces those; {hint}")
    return f"the requirements need another {'/'.join(clash)} than the image's ({have}), which the build never replaces"


def download(pins: dict[str, str], cache: Path, python: str) -> None:
    """Fill the cache with exactly these wheels for the target Python and platform."""
    cache.mkdir(parents=True, exist_ok=True)
    have = {wheel_key(p) for p in cache.glob("*.whl")}
    wanted = [f"{n}=={v}" for n, v in sorted(pins.items()) if (n, normal_version(v)) not in have]
    if not wanted:
        return
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet", "--no-deps",
           "-d", str(cache), *_platform_args(python), *wanted]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise WheelError("pip download failed: " + _pip_error(p.stderr))


def _packaging():
    """(Requirement, InvalidRequirement, Version, InvalidVersion): the `packaging` library, or the
    copy inside pip where it is not installed (pip's is imported only then: importing pip's
    internals upsets setuptools' distutils shim in the same process)."""
    try:
        from packaging.requirements import InvalidRequirement, Requirement
        from packaging.version import InvalidVersion, Version
    except ImportError:
        from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
        from pip._vendor.packaging.version import InvalidVersion, Version
    return Requirement, InvalidRequirement, Version, InvalidVersion


def normal_version(version: str) -> str:
    _, _, Version, InvalidVersion = _packaging()
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def wheel_key(path: Path) -> tuple[str, str]:
    """(canonical name, normalized version) from a wheel's file name."""
    name, version = path.name.split("-")[:2]
    return canonical(name), normal_version(version)
