"""From a model folder to what `kaggle datasets create` and `kaggle kernels push` take:

    OUT/kernel/                 kernel-metadata.json + the entry script
    OUT/datasets/wheels/        dataset-metadata.json + the offline wheel set + this project's wheel
    OUT/datasets/model/         dataset-metadata.json + model/ (+ adapter/) + arc-kernel-model.json

Nothing is reported as built until the metadata passes the kaggle CLI's rules and the wheel set
resolves with no index for the image's Python and platform."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..folders import adapter_folder_problem, model_folder_problem
from . import entry, metadata, vllm_api, wheels

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]


# fp16 weights above this leave a T4 (about 15 GiB usable) too little for vLLM's KV cache
T4_WEIGHTS_LIMIT = 8 * 1024 ** 3


class BuildError(RuntimeError):
    pass


@dataclass
class BuildOptions:
    model: Path
    out: Path
    adapter: Path | None = None
    merge_adapter: bool = False
    config: Path | None = None
    kernel_id: str | None = None     # owner/slug; default from the template
    title: str | None = None
    requirements: Path = ROOT / "requirements-offline.txt"
    image: Path = wheels.IMAGE_FILE
    cache: Path = ROOT / "wheels"
    offline: bool = False            # use only the wheels already in the cache
    template: Path = ROOT / "kernel-metadata.json"
    run_args: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)  # presets of the model's format: names or files


@dataclass
class BuildResult:
    kernel_dir: Path
    wheels_dir: Path
    model_dir: Path
    wheels: list[str]
    upgrades: list[wheels.Upgrade]
    sizes: dict[str, int]
    commands: list[str]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _check_inputs(o: BuildOptions) -> list:
    """The presets the run will use (from --config, then --prompt), each checked: it loads, and
    the module its programs import is in the model folder."""
    problem = model_folder_problem(o.model) or (adapter_folder_problem(o.adapter) if o.adapter is not None else None)
    if problem:
        raise BuildError(problem)
    if o.merge_adapter and o.adapter is None:
        raise BuildError("--merge-adapter needs --adapter")
    from ..config import ConfigError, load_config
    from ..prompting import TemplateError, load_template

    try:
        cfg = load_config(o.config)
    except (ConfigError, OSError, ValueError) as e:
        raise BuildError(f"--config {o.config}: {e}") from None
    presets = []
    for spec in (cfg.prompts.output, cfg.prompts.code, *o.prompts):
        try:
            template = load_template(spec)
        except TemplateError as e:
            raise BuildError(str(e)) from None
        module = template.program.module
        if template.kind == "code-from-examples" and module and \
                not Path(o.model, *module.split(".")).with_suffix(".py").is_file():
            raise BuildError(f"prompt {spec} names module {module}: put {module.split('.')[-1]}.py (the module its "
                             f"programs import) in the model folder {o.model}")
        presets.append((spec, template))
    return presets


def _model_dataset(o: BuildOptions, folder: Path, presets: list) -> None:
    """The weights, the adapter, and the preset files that are not built in (the kernel's own
    presets ship inside its wheel)."""
    from ..prompting.templates import builtin_names

    target = folder / "model"
    if o.adapter is not None and o.merge_adapter:
        from ..ttft.merge import merge_adapter

        merge_adapter(o.model, o.adapter, target)
        adapter = None
    else:
        shutil.copytree(o.model, target)
        adapter = None
        if o.adapter is not None:
            shutil.copytree(o.adapter, folder / "adapter")
            adapter = "adapter"
    files = []
    for spec, template in presets:
        if spec in builtin_names():
            continue
        (folder / "prompts").mkdir(exist_ok=True)
        name = f"prompts/{template.name}.toml"
        shutil.copy2(spec, folder / name)
        files.append(name)
    (folder / entry.MARKER).write_text(json.dumps({"model": "model", "adapter": adapter, "prompts": files}, indent=1))


def build(o: BuildOptions) -> BuildResult:
    presets = _check_inputs(o)
    template = json.loads(o.template.read_text())
    kernel_id = o.kernel_id or template["id"]
    if "/" not in kernel_id:
        raise BuildError(f"--id {kernel_id!r}: expected OWNER/SLUG (your Kaggle user name, a slash, the kernel's slug)")
    owner, slug = kernel_id.split("/", 1)
    if owner == "your-kaggle-username":
        log.warning("the kernel id is the template's placeholder %r: pass --id YOUR_KAGGLE_NAME/SLUG", kernel_id)
    title = o.title or metadata.title_for(slug)

    if o.out.exists():
        shutil.rmtree(o.out)
    kernel_dir, wheels_dir, model_dir = o.out / "kernel", o.out / "datasets" / "wheels", o.out / "datasets" / "model"
    for d in (kernel_dir, wheels_dir, model_dir):
        d.mkdir(parents=True)

    # --- wheels -----------------------------------------------------------------------------
    image = wheels.read_image(o.image)
    reqs = [r.spec for r in wheels.read_requirements(o.requirements)]
    sources = ["--no-index", "--find-links", str(o.cache)] if o.offline else []
    log.info("wheels: planning %d requirements against the Kaggle image list (Python %s, %d packages)%s",
             len(reqs), image.python, len(image.packages), " from the cache only" if o.offline else "")
    try:
        plan = wheels.plan_install(reqs, image, sources)
    except wheels.WheelError as e:
        raise BuildError(f"{e}" + ("; run without --offline to download what is missing" if o.offline else "")) from None
    for u in plan.upgrades:
        log.info("upgrade: the image's %s %s is replaced by %s (%s)", u.name, u.image, u.bundled, u.needed_by)
    if not o.offline:
        wheels.download(plan.bundle, o.cache, image.python)
    cached = {wheels.wheel_key(p): p for p in o.cache.glob("*.whl")} if o.cache.is_dir() else {}
    for name, version in sorted(plan.bundle.items()):
        wheel = cached.get((name, wheels.normal_version(version)))
        if wheel is None:
            raise BuildError(f"{name}=={version}: the plan needs it but no wheel for it is in {o.cache}")
        shutil.copy2(wheel, wheels_dir)
    vllm = next(wheels_dir.glob("vllm-*.whl"), None)
    if vllm is not None:   # the release that ships cannot be imported here: its sources are read instead
        problems = vllm_api.check_engine_calls(vllm_api.read_api(vllm))
        if problems:
            raise BuildError("the engines call vLLM in ways the bundled release does not accept: " + "; ".join(problems))
        log.info("%s: every keyword the engines pass is in its API", vllm.name)
    own = wheels.project_wheel(wheels_dir)
    final = wheels.resolve_offline([str(own)] + reqs, wheels_dir, image.without(u.name for u in plan.upgrades))
    if not final.ok:
        raise BuildError(f"the bundled wheels do not resolve offline for Python {image.python}: missing "
                         f"{', '.join(final.missing) or '?'} ({final.error})")
    bundled = sorted(p.name for p in wheels_dir.glob("*.whl"))

    # --- model ------------------------------------------------------------------------------
    _model_dataset(o, model_dir, presets)

    # --- datasets' and kernel's metadata ------------------------------------------------------
    datasets = {"wheels": (wheels_dir, f"{slug}-wheels"), "model": (model_dir, f"{slug}-model")}
    problems = []
    for what, (folder, ds_slug) in datasets.items():
        meta = metadata.dataset_metadata(owner, ds_slug, metadata.title_for(ds_slug)[:50])
        problems += [f"{what} dataset: {p}" for p in metadata.check_dataset_metadata(meta)]
        (folder / "dataset-metadata.json").write_text(json.dumps(meta, indent=2) + "\n")
    config_text = o.config.read_text() if o.config else "# the defaults of kernel/default.toml\n"
    code_file = template.get("code_file", "kernel_entry.py")
    from ..prompting.templates import builtin_names

    run_args = list(o.run_args) + [a for p in o.prompts if p in builtin_names() for a in ("--prompt", p)]
    (kernel_dir / code_file).write_text(entry.render(config_text, reqs, run_args))
    meta = dict(template)
    meta.update(id=kernel_id, title=title, code_file=code_file, language="python", kernel_type="script",
                enable_gpu=True, enable_internet=False, machine_shape="NvidiaTeslaT4",
                dataset_sources=[f"{owner}/{s}" for _, s in datasets.values()])
    problems += metadata.check_kernel_metadata(meta, kernel_dir)
    if problems:
        raise BuildError("the metadata would be refused by Kaggle: " + "; ".join(problems))
    (kernel_dir / "kernel-metadata.json").write_text(json.dumps(meta, indent=2) + "\n")

    sizes = {"kernel": _size(kernel_dir), "wheels": _size(wheels_dir), "model": _size(model_dir)}
    weights = sum(p.stat().st_size for p in (model_dir / "model").glob("*.safetensors"))
    if weights > T4_WEIGHTS_LIMIT:
        log.warning("the model's weights are %s: on a 16 GB T4 (about 15 GiB usable) that leaves little or no room "
                    "for vLLM's KV cache; store them in float16 or use a smaller model", human(weights))
    commands = [f"kaggle datasets create -p {wheels_dir} --dir-mode zip   # {human(sizes['wheels'])}",
                f"kaggle datasets create -p {model_dir} --dir-mode zip   # {human(sizes['model'])}",
                f"kaggle kernels push -p {kernel_dir}   # then submit its output from the competition page"]
    return BuildResult(kernel_dir, wheels_dir, model_dir, bundled, plan.upgrades, sizes, commands)
