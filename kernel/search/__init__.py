"""DSL program search on the CPU: enumerate chains of kernel.dsl steps, finish them with
inferred steps, and emit every program that reproduces the train pairs as Python source."""

from .engine import Found, SearchResult, search_task
from .parallel import search_many

__all__ = ["Found", "SearchResult", "search_task", "search_many"]
