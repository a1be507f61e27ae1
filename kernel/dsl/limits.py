"""ARC's grid size limit, and the error a step raises when only that limit stops it."""

from ..grids import MAX_SIDE  # noqa: F401  (re-exported: the DSL's steps and the search check it)


class TooLarge(ValueError):
    """The step's result would pass MAX_SIDE: on a smaller grid (after a crop, say) it may well apply."""
