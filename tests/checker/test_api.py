"""The library surface other tools build on: names, rules data, light imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from submission_checker.naming import normalise_model_name
from submission_checker.rounds import available_rounds, load_round, normalise_metric


@pytest.mark.parametrize(
    "declared, directory",
    [
        ("meta-llama/Llama-2-70b-chat-hf", "Llama-2-70b-chat-hf"),
        ("  llama2-70b ", "llama2-70b"),
        ("llama3.1 8b", "llama3_1_8b"),
        ("__mixtral--8x7b!!", "mixtral--8x7b"),
        ("a//b", "b"),
        ("deepseek-ai/DeepSeek R1 (fp8)", "DeepSeek_R1_fp8"),
    ],
)
def test_normalise_model_name(declared, directory):
    assert normalise_model_name(declared) == directory


def test_dataset_minimums_match_on_the_part_before_the_suffix():
    rules = load_round()
    assert rules.dataset_minimum("open_orca") == 24576
    assert rules.dataset_minimum("cnn_dailymail::llama3_8b") == 13368
    assert rules.dataset_minimum("shopify_product_catalogue_8k") == 8000
    assert rules.dataset_minimum("Open_Orca") is None  # exact, case-sensitive
    assert rules.dataset_minimum("unknown::open_orca") is None


@pytest.mark.parametrize(
    "directory, row",
    [
        ("llama3.1-405b", "llama3+405b"),
        ("Llama-3.1-8B-Instruct", "llama3+8b"),  # compared as "llama318binstruct"
        ("llama2-70b", "llama2+70b"),
        ("mixtral-8x7b", "mixtral+8x7b"),
        ("DeepSeek-R1", "deepseek+r1"),
        ("gpt-oss-120b", "gptoss+120b"),
        ("my-model", None),
    ],
)
def test_official_target_rows(directory, row):
    target = load_round().official_target(directory)
    assert (target.name if target else None) == row


def test_target_bounds_and_metric_names():
    row = load_round().official_target("llama2-70b")
    assert row.bound_for("ROUGE-L").lower == 28.330038
    tokens = row.bound_for("tokens_per_sample")
    assert (tokens.lower, tokens.upper) == (265.005, 323.895)
    assert tokens.admits(265.005) and tokens.admits(323.895) and not tokens.admits(323.9)
    assert normalise_metric("Exact_Match") == "exactmatch"
    assert normalise_metric("rougel ") != normalise_metric("rougel")  # §4.4: no stripping


def test_rounds_are_data_files():
    assert {"v0.7", "v1.0"} <= set(available_rounds())
    with pytest.raises(ValueError, match="unknown rules round"):
        load_round("v0.0")
    with pytest.raises(ValueError):
        load_round("../../etc/passwd")


def test_light_modules_do_not_import_pydantic():
    code = (
        "import sys\n"
        "import submission_checker, submission_checker.regions, submission_checker.naming\n"
        "import submission_checker.loading\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
        "from submission_checker import SubmissionChecker, Report, CheckResult\n"
        "assert 'pydantic' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
