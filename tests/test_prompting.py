"""Grid text, prompt templates, prompt building and response parsing (no model needed)."""

import pytest

from conftest import make_task
from kernel.prompting import GridFormat, encode_grid, extract_code, load_template, parse_grid_text, parse_response
from kernel.prompting.builder import CharRenderer, build_prompts
from kernel.prompting.templates import TemplateError, builtin_names

G = ((1, 2, 3), (4, 5, 6))
FMT = GridFormat()


@pytest.mark.parametrize("fmt", [GridFormat(), GridFormat(header=""), GridFormat(cell_sep=" "),
                                 GridFormat(header="shape {rows}x{cols}:", cell_sep=",", row_sep="\n")])
def test_grid_text_round_trips_in_every_format(fmt):
    assert parse_grid_text(encode_grid(G, fmt), fmt) == G


def test_encoded_grid_has_the_header_then_one_line_per_row():
    assert encode_grid(G, FMT) == "2 3\n123\n456"


@pytest.mark.parametrize("text", [
    "```\n2 3\n123\n456\n```",
    "Sure! Here is the output:\n2 3\n123\n456\nHope this helps.",
    "123\n456",                      # header missing
    "[[1, 2, 3], [4, 5, 6]]",
    "1 2 3\n4 5 6",                   # spaced cells
])
def test_grid_parser_tolerates_fences_chatter_and_other_layouts(text):
    assert parse_grid_text(text, FMT) == G


def test_grid_parser_stops_at_the_rows_the_header_announces():
    assert parse_grid_text("1 3\n123\n456", FMT) == ((1, 2, 3),)


@pytest.mark.parametrize("text", ["", "no grid here", "2 3\n123\n45", "[[1, 2], [3]]", "\x00\xff" * 50,
                                  "2 1\n" + "1" * 31 + "\n" + "1" * 31])
def test_grid_parser_returns_none_for_garbage_ragged_or_oversized(text):
    assert parse_grid_text(text, FMT) is None


def test_code_is_taken_from_the_last_fenced_block_that_defines_transform():
    text = ("Draft:\n```python\ndef transform(grid):\n    return grid\n```\nBetter:\n"
            "```python\nimport numpy as np\ndef transform(grid):\n    return np.flipud(grid).tolist()\n```\nDone.")
    code, error = extract_code(text)
    assert error is None and "flipud" in code and code.startswith("import numpy")


def test_raw_code_without_fences_is_accepted():
    code, _ = extract_code("def transform(grid):\n    return grid\n")
    assert code == "def transform(grid):\n    return grid\n"


def test_code_cut_off_by_the_token_limit_falls_back_to_an_earlier_block():
    text = "```python\ndef transform(grid):\n    return grid\n```\n```python\ndef transform(grid):\n    return [row for"
    code, error = extract_code(text)
    assert code == "def transform(grid):\n    return grid\n"


@pytest.mark.parametrize("text,reason", [
    ("I cannot solve this.", "no def transform"),
    ("```python\ndef transform(grid):\n    return (\n```", "does not parse"),
    ("\x00" * 100 + "def transform(", "no def transform"),
])
def test_unusable_responses_are_unanswered_with_a_reason(text, reason):
    parsed = parse_response(text, load_template("code-from-examples"))
    assert not parsed.answered and reason in parsed.error


def test_every_builtin_template_loads_with_a_version_id():
    names = builtin_names()
    assert {"code-from-examples", "code-from-examples-dsl", "output-from-examples"} <= set(names)
    for name in names:
        t = load_template(name)
        assert t.version_id.startswith(f"{t.name}/v{t.version}#")


def test_editing_a_template_file_changes_its_version_id(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nkind = "output-from-examples"\nuser = "{examples}\\n{test_input}"\n')
    first = load_template(path)
    path.write_text(path.read_text() + 'system = "be brief"\n')
    assert load_template(path).version_id != first.version_id


@pytest.mark.parametrize("body,message", [
    ('name = "x"\nkind = "poem"\nuser = "{test_input}"', "kind must be"),
    ('name = "x"\nkind = "output-from-examples"\nuser = "no placeholder"', "must contain {test_input}"),
    ('name = "x"\nkind = "output-from-examples"\nuser = "{test_input}"\ncolour = 1', "unknown keys"),
    ('name = "x"\nkind = "output-from-examples"\nuser = "{test_input}"\n[grid]\nrow_sep = ""', "row_sep"),
    ('name = "x"\nkind = "output-from-examples"\nuser = "{test_input}"\n[grid]\nheader = "{height}"', "header"),
    ("not toml [", "not valid TOML"),
])
def test_bad_template_files_are_refused_with_the_reason(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(TemplateError, match=message.replace("{", r"\{").replace("}", r"\}")):
        load_template(path)


def test_unknown_template_name_lists_the_builtins():
    with pytest.raises(TemplateError, match="code-from-examples"):
        load_template("no-such-template")


TASK = make_task([(((1, 2),), ((2, 1),)), (((3, 4, 5),), ((5, 4, 3),)), (((6,) * 9,) * 9, ((6,) * 9,) * 9)],
                 tests=[((7, 8),), ((9, 9),)], task_id="abc")


def test_code_prompts_are_one_per_task_and_output_prompts_one_per_test_input():
    r = CharRenderer()
    code, _ = build_prompts([TASK], load_template("code-from-examples"), r, 10_000)
    out, _ = build_prompts([TASK], load_template("output-from-examples"), r, 10_000)
    assert [(p.test_index, p.id) for p in code] == [(None, "abc/all/code-from-examples")]
    assert [p.test_index for p in out] == [0, 1]
    assert "1 2\n78" in code[0].text and "1 2\n99" in code[0].text  # every test input shown
    assert out[1].text.rstrip().endswith("1 2\n99\nOutput:")
    assert all(p.version == load_template("output-from-examples").version_id for p in out)


def test_a_long_prompt_drops_its_largest_examples_first_then_is_skipped():
    t = load_template("output-from-examples")
    full, _ = build_prompts([TASK], t, CharRenderer(), 10_000)
    assert full[0].n_examples == 3
    limit = full[0].tokens - 50  # the 9x9 example must go
    fitted, skipped = build_prompts([TASK], t, CharRenderer(), limit)
    assert fitted[0].n_examples == 2 and "666666666" not in fitted[0].text and not skipped
    none, skipped = build_prompts([TASK], t, CharRenderer(), 20)
    assert none == [] and len(skipped) == 2 and "more than the 20" in skipped[0].reason


def test_braces_in_a_template_survive_and_the_dsl_catalogue_is_filled_in(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('name = "t"\nkind = "code-from-examples"\nsystem = "{dsl}"\n'
                    'user = "d = {\\"a\\": 1}\\n{examples}\\n{test_input}"\n')
    prompts, _ = build_prompts([TASK], load_template(path), CharRenderer(), 100_000)
    assert 'd = {"a": 1}' in prompts[0].text and "flip" in prompts[0].text
