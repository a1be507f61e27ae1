"""kernel-metadata.json and dataset-metadata.json: filled in, and checked by the same rules
the kaggle CLI applies before `kernels push` and `datasets create` (so a bad title or slug
fails here, not after an upload)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

LANGUAGES = ("python", "r", "rmarkdown")
KERNEL_TYPES = ("script", "notebook")


def slugify(title: str) -> str:
    """Kaggle's slug of a title: ASCII, lower case, runs of other characters as one dash."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    text = re.sub(r"['\"]+", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def title_for(slug: str) -> str:
    """A title that slugifies back to `slug` ("arc-prize-kernel" -> "Arc Prize Kernel")."""
    return " ".join(w.capitalize() for w in slug.split("-"))


def _owner_slug(value: object, what: str, min_slug: int = 1) -> list[str]:
    if not isinstance(value, str) or value.count("/") != 1 or not all(value.split("/")):
        return [f"{what} {value!r}: expected 'owner/slug'"]
    if len(value.split("/")[1]) < min_slug:
        return [f"{what} {value!r}: the slug must be at least {min_slug} characters"]
    return []


def check_kernel_metadata(meta: dict, folder: Path) -> list[str]:
    problems = []
    title = meta.get("title")
    if not isinstance(title, str) or not 5 <= len(title) <= 50:
        problems.append(f"title {title!r}: must be 5 to 50 characters")
    kid = meta.get("id")
    problems += _owner_slug(kid, "id", min_slug=5)
    if not problems and slugify(title) != kid.split("/")[1].lower():
        problems.append(f"title {title!r} slugifies to {slugify(title)!r}, not the id's slug "
                        f"{kid.split('/')[1]!r}: Kaggle would push it under another name")
    code = meta.get("code_file")
    if not code:
        problems.append("code_file: missing")
    elif not (folder / code).is_file():
        problems.append(f"code_file {code!r}: no such file in {folder}")
    if meta.get("language") not in LANGUAGES:
        problems.append(f"language {meta.get('language')!r}: must be one of {', '.join(LANGUAGES)}")
    if meta.get("kernel_type") not in KERNEL_TYPES:
        problems.append(f"kernel_type {meta.get('kernel_type')!r}: must be one of {', '.join(KERNEL_TYPES)}")
    for key in ("dataset_sources", "kernel_sources"):
        for source in meta.get(key, []):
            problems += _owner_slug(source, key)
    for source in meta.get("competition_sources", []):
        if not isinstance(source, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", source):
            problems.append(f"competition_sources {source!r}: expected a competition slug like 'arc-prize-2025'")
    for source in meta.get("model_sources", []):
        parts = source.split("/") if isinstance(source, str) else []
        if len(parts) != 5 or not all(parts) or not parts[4].isdigit():
            problems.append(f"model_sources {source!r}: expected 'owner/model/framework/variation/version'")
    for key in ("is_private", "enable_gpu", "enable_tpu", "enable_internet"):
        if key in meta and not isinstance(meta[key], bool) and meta[key] not in ("true", "false"):
            problems.append(f"{key} {meta[key]!r}: must be true or false")
    if meta.get("enable_internet") not in (False, "false"):
        problems.append("enable_internet: must be false (the competition runs offline)")
    return problems


def check_dataset_metadata(meta: dict) -> list[str]:
    problems = []
    title = meta.get("title")
    if not isinstance(title, str) or not 6 <= len(title) <= 50:
        problems.append(f"dataset title {title!r}: must be 6 to 50 characters")
    problems += _owner_slug(meta.get("id"), "dataset id")
    if not problems:
        slug = meta["id"].split("/")[1]
        if not 6 <= len(slug) <= 50:
            problems.append(f"dataset id {meta['id']!r}: the slug must be 6 to 50 characters")
    if "INSERT" in str(meta.get("id")) or "INSERT" in str(title):
        problems.append("dataset metadata still holds the template's placeholder values")
    if len(meta.get("licenses", [])) != 1:
        problems.append("dataset licenses: exactly one is needed")
    return problems


def dataset_metadata(owner: str, slug: str, title: str) -> dict:
    return {"title": title, "id": f"{owner}/{slug}", "licenses": [{"name": "CC0-1.0"}]}
