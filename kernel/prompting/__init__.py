"""Tasks -> prompt text, and model responses -> programs or grids.

Prompt formats live in template files (TOML) so a competitor can match the format their
model was fine-tuned on without touching code; the built-in ones are in templates/."""

from .grid_text import GridFormat, encode_grid, parse_grid_text
from .parsing import ParsedResponse, extract_code, parse_response
from .templates import KINDS, PromptTemplate, TemplateError, load_template
from .builder import Prompt, PromptRenderer, Skipped, build_prompts

__all__ = [
    "GridFormat", "encode_grid", "parse_grid_text", "ParsedResponse", "extract_code", "parse_response",
    "KINDS", "PromptTemplate", "TemplateError", "load_template", "Prompt", "PromptRenderer", "Skipped",
    "build_prompts",
]
