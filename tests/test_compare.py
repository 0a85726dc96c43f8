"""The shipped claim-pair model and `storytrace compare`, its public face."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storytrace.cli import app
from storytrace.ml.pairs import model_version, pair_scorer, read_config, relation

runner = CliRunner()


def test_the_model_ships_with_its_provenance() -> None:
    config = read_config()
    assert config["version"] == model_version() != "none"
    assert set(config["data_sha256"]) >= {"sick-dev/SICK_train.txt"}
    assert config["training"]["seed"] == 0
    weights = Path(str(resources.files("storytrace.ml").joinpath("claim_pairs.safetensors")))
    assert 0 < weights.stat().st_size < 50 * 2**20  # fp16, within the package-data limit


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("The earthquake killed 23 people on Monday.", "23 people died in Monday's earthquake.",
         {"equivalent"}),
        ("A man is playing a guitar on the stage.", "Nobody is playing a guitar.",
         {"contradicts"}),
        ("A man in a red shirt is playing a guitar on the stage.",
         "A man is playing a guitar.", {"entails"}),
        ("The central bank raised interest rates.", "A cat is sleeping on the sofa.",
         {"unrelated"}),
    ],
)  # fmt: skip
def test_relations_read_by_the_model(a: str, b: str, expected: set[str]) -> None:
    scorer = pair_scorer()
    (scores,) = scorer.score([(a, b)])
    assert relation(scores, scorer.thresholds) in expected, scores


def test_scores_read_both_directions() -> None:
    scorer = pair_scorer()
    a = "The storm destroyed 40 homes and killed two people in the town."
    b = "The storm killed two people."
    forward, backward = scorer.score([(a, b), (b, a)])
    assert forward.entails == pytest.approx(backward.entailed_by, abs=1e-4)
    assert forward.similarity == pytest.approx(backward.similarity, abs=1e-4)


def test_compare_cli_one_pair_and_a_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", "Prices rose 3 % in May.",
                                 "Prices fell 3 % in May.", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "storytrace.compare/1" and data["model"] == model_version()
    assert set(data["pairs"][0]["scores"]) == {"entails", "entailed_by", "contradicts",
                                               "paraphrase", "similarity"}  # fmt: skip
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# a comment\nA dog runs in the park.\tA dog is running in a park.\n\n"
                     "The vote passed.\tThe vote failed.\n", encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["compare", "--pairs", str(pairs)])
    assert result.exit_code == 0, result.output
    assert "A: A dog runs in the park." in result.stdout and "\n2. " in result.stdout


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["only one"], None, "give two sentences"),
        (["a", "b", "--pairs", "{file}"], "x\ty\n", "not both"),
        (["--pairs", "{file}"], "no tab here\n", "line 1: expected two sentences"),
        (["--pairs", "{file}"], "\n# nothing\n", "no pairs"),
        (["--pairs", "{file}"], b"\xff\xfe\x00bad", "not UTF-8"),
        (["--pairs", "{missing}"], None, "no such file"),
    ],
)
def test_compare_cli_errors_are_one_line(
    tmp_path: Path, args: list[str], content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "pairs.tsv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    args = [a.format(file=path, missing=tmp_path / "nope.tsv") for a in args]
    result = runner.invoke(app, ["compare", *args])
    assert result.exit_code != 0
    said = " ".join(result.output.split())  # the console wraps long paths at its width
    assert message in said and "Traceback" not in said
