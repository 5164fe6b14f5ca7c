"""The validated configuration (issue #8): every way of building a Config checks it, all problems at once."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import opgang_eval as oe
from opgang_eval.config import ComparisonSettings

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


def refused(build: Any, *args: Any, **kwargs: Any) -> list[tuple[str, str, str]]:
    """(file, column, value) of every failure of a build that must raise ConfigError, in order."""
    with pytest.raises(oe.ConfigError) as info:
        build(*args, **kwargs)
    failures = info.value.failures
    assert set(failures["rule"]) == {"bad_config"}
    assert set(failures["table"]) == {"config"}
    return list(zip(failures["file"], failures["column"], failures["value"], strict=True))


def columns(build: Any, *args: Any, **kwargs: Any) -> list[str]:
    return [column for _file, column, _value in refused(build, *args, **kwargs)]


def hints(build: Any, *args: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(oe.ConfigError) as info:
        build(*args, **kwargs)
    return dict(zip(info.value.failures["column"], info.value.failures["hint"], strict=True))


# -- every path checks ---------------------------------------------------------------------------------------------


def test_keyword_construction_keeps_the_disclosure_floor():
    assert refused(oe.Config, min_cell=1) == [("Config()", "min_cell", "1")]
    assert refused(oe.Config, min_cell=4) == [("Config()", "min_cell", "4")]
    assert oe.Config(min_cell=5).min_cell == 5
    assert oe.Config(min_cell=10).min_cell == 10  # raised: allowed
    # The dominance share protects like min_cell: lowered (stricter) allowed, raised refused.
    assert refused(oe.Config, dominance_share=0.9) == [("Config()", "dominance_share", "0.9")]
    assert oe.Config(dominance_share=0.6).dominance_share == 0.6


def test_the_floor_holds_on_every_path(tmp_path: Path):
    toml = tmp_path / "evaluation.toml"
    toml.write_text("min_cell = 3\n", encoding="utf-8")
    base = oe.Config()
    assert refused(oe.Config.from_dict, {"min_cell": 3}) == [("config", "min_cell", "3")]
    assert refused(oe.Config.from_dict, {"min_cell": 3}, source="mine") == [("mine", "min_cell", "3")]
    assert refused(oe.Config.from_toml, toml) == [("evaluation.toml", "min_cell", "3")]
    assert refused(oe.Config.resolve, {"min_cell": 3}, default=base) == [("config", "min_cell", "3")]
    assert refused(oe.Config.resolve, toml) == [("evaluation.toml", "min_cell", "3")]
    assert refused(base.replace, min_cell=3) == [("replace()", "min_cell", "3")]
    # pydantic's own escape hatches skip validation; here they do not.
    assert refused(base.model_copy, update={"min_cell": 3}) == [("model_copy()", "min_cell", "3")]
    assert refused(oe.Config.model_construct, min_cell=3) == [("model_construct()", "min_cell", "3")]
    assert columns(base.comparison.model_copy, update={"ratio": 0}) == ["comparison.ratio"]
    assert columns(ComparisonSettings.model_construct, ratio=0) == ["comparison.ratio"]
    assert base.model_copy(update={"min_cell": 7}).min_cell == 7 and base.model_copy() == base


def test_an_unknown_language_names_the_key():
    assert refused(oe.Config, lang="xx") == [("Config()", "lang", "'xx'")]
    assert hints(oe.Config, lang="xx") == {"lang": "lang must be one of da, en."}
    assert oe.Config(lang="en").lang == "en"


def test_a_bad_config_is_refused_before_the_evaluation_starts():
    with pytest.raises(oe.ConfigError) as info:
        oe.evaluate(oe.load(SAMPLE), config=oe.Config(bootstrap_replicates=-5))
    assert list(info.value.failures["column"]) == ["bootstrap_replicates"]
    assert list(info.value.failures["value"]) == ["-5"]
    assert "bootstrap_replicates" in str(info.value)


def test_comparison_settings_check_themselves():
    assert refused(ComparisonSettings, ratio=0) == [("ComparisonSettings()", "comparison.ratio", "0")]
    assert refused(ComparisonSettings, exact=["site"]) == [
        ("ComparisonSettings()", "comparison.exact", "['site']"),
    ]


def test_a_config_is_a_frozen_value():
    config = oe.Config()
    with pytest.raises(AttributeError):
        config.min_cell = 1
    with pytest.raises(AttributeError):
        config.comparison.ratio = 3
    assert config.min_cell == 5
    assert config.comparison.ratio == 1


# -- all problems at once ------------------------------------------------------------------------------------------


def test_three_bad_comparison_keys_are_three_failures():
    data = {"comparison": {"ratio": 0, "method": "greedy", "event_bin": 2}}
    with pytest.raises(oe.ConfigError) as info:
        oe.Config.from_dict(data)
    error = info.value
    assert error.n_failures == 3
    assert sorted(error.failures["column"]) == ["comparison.event_bin", "comparison.method", "comparison.ratio"]
    assert dict(zip(error.failures["column"], error.failures["value"], strict=True)) == {
        "comparison.ratio": "0",
        "comparison.method": "'greedy'",
        "comparison.event_bin": "2",
    }
    assert "3 problems in 1 file" in str(error)


def test_bad_top_level_and_nested_keys_are_reported_together():
    data = {"min_cell": 2, "seeds": 1, "lang": "de", "comparison": {"caliper": -1, "ratios": 2}}
    found = hints(oe.Config.from_dict, data, source="evaluation.toml")
    assert sorted(found) == ["comparison.caliper", "comparison.ratios", "lang", "min_cell", "seeds"]
    assert found["seeds"].startswith("Unknown setting 'seeds'. Known settings: bootstrap_replicates, comparison, ")
    assert found["comparison.ratios"].startswith(
        "Unknown setting 'comparison.ratios'. Known comparison settings: caliper, common_support, covariates, "
    )
    assert found["min_cell"].startswith("min_cell is the disclosure threshold; it can be raised")


def test_keywords_report_every_problem_too():
    assert sorted(columns(oe.Config, seed=-1, design="both", comparison={"distance": "mahalanobis"})) == [
        "comparison.distance",
        "design",
        "seed",
    ]


def test_both_ends_of_a_bad_band_are_one_failure():
    assert refused(oe.Config, youth_ages=[True, 99]) == [("Config()", "youth_ages", "[True, 99]")]


def test_unknown_keys_show_no_value():
    assert refused(oe.Config.from_dict, {"seeds": 7}) == [("config", "seeds", "")]


# -- overrides merge deeply ----------------------------------------------------------------------------------------


@pytest.fixture
def weighting() -> oe.Config:
    return oe.Config.from_dict(
        {"seed": 7, "comparison": {"method": "weighting", "caliper": 0.5, "exact": ["children"]}}
    )


def test_a_dict_over_a_default_keeps_the_other_comparison_settings(weighting: oe.Config):
    config = oe.Config.resolve({"comparison": {"ratio": 2}}, default=weighting)
    assert config.comparison.ratio == 2
    assert config.comparison.method == "weighting"
    assert config.comparison.caliper == 0.5
    assert config.comparison.exact == ("children",)
    assert config.seed == 7


def test_replace_merges_the_comparison_table(weighting: oe.Config):
    config = weighting.replace(comparison={"ratio": 2}, min_cell=8)
    assert config.comparison.ratio == 2
    assert config.comparison.method == "weighting"
    assert config.comparison.caliper == 0.5
    assert config.min_cell == 8
    assert config.seed == 7
    assert weighting.comparison.ratio == 1  # the original is unchanged


def test_comparison_settings_replace_the_whole_table(weighting: oe.Config):
    config = weighting.replace(comparison=ComparisonSettings(ratio=3))
    assert config.comparison.ratio == 3
    assert config.comparison.method == "nearest"
    assert config.comparison.caliper == 0.2
    assert config.comparison.exact == ()


def test_a_merged_override_is_checked_against_the_base(weighting: oe.Config):
    # The base matches exactly on children; dropping children from the model leaves it outside.
    found = hints(oe.Config.resolve, {"comparison": {"covariates": ["parent_age"]}}, default=weighting)
    assert list(found) == ["comparison.exact"]
    assert "cannot be matched exactly" in found["comparison.exact"]


def test_resolve_passes_configs_and_defaults_through(weighting: oe.Config):
    assert oe.Config.resolve(None, default=weighting) is weighting
    assert oe.Config.resolve(weighting) is weighting
    assert oe.Config.resolve(None) == oe.Config()
    assert refused(oe.Config.resolve, 42) == [("config", "", "'int'")]


# -- upper bounds --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"bootstrap_replicates": 100_001}, "bootstrap_replicates"),
        ({"bootstrap_replicates": 0}, "bootstrap_replicates"),
        ({"seed": 2**63}, "seed"),
        ({"seed": -1}, "seed"),
        ({"comparison": {"event_window": [-241, 12]}}, "comparison.event_window"),
        ({"comparison": {"event_window": [-24, 241]}}, "comparison.event_window"),
        ({"comparison": {"event_window": [-1, 12]}}, "comparison.event_window"),
        ({"comparison": {"event_window": [-24, -1]}}, "comparison.event_window"),
        ({"programme_cost_dkk": 1_000_000_000_001}, "programme_cost_dkk"),
        ({"programme_cost_dkk": math.inf}, "programme_cost_dkk"),
        ({"programme_cost_dkk": math.nan}, "programme_cost_dkk"),
        ({"programme_cost_dkk": -1}, "programme_cost_dkk"),
        ({"price_index": {"2024": 1_000_001}}, "price_index"),
        ({"price_index": {"2024": math.inf}}, "price_index"),
        ({"price_index": {"2024": 0}}, "price_index"),
        ({"price_index": {"2024": -100.0}}, "price_index"),
        ({"survey_scales": {"trust": [0, 1_000_001]}}, "survey_scales"),
        ({"survey_scales": {"trust": [-1_000_001, 0]}}, "survey_scales"),
        ({"survey_scales": {"trust": [-math.inf, 10]}}, "survey_scales"),
        ({"survey_scales": {"trust": [0, math.nan]}}, "survey_scales"),
        ({"comparison": {"ratio": 21}}, "comparison.ratio"),
        ({"youth_ages": [0, 31]}, "youth_ages"),
        ({"youth_ages": [-1, 17]}, "youth_ages"),
        ({"discount_rate": 1}, "discount_rate"),
        ({"discount_rate": -0.01}, "discount_rate"),
        ({"discount_rate": math.nan}, "discount_rate"),
        ({"comparison": {"caliper": 10.5}}, "comparison.caliper"),
        ({"comparison": {"caliper": math.inf}}, "comparison.caliper"),
        ({"min_cell": 100_001}, "min_cell"),
        ({"price_year": 2101}, "price_year"),
    ],
)
def test_values_beyond_a_bound_are_refused(settings: dict[str, Any], key: str):
    assert columns(oe.Config.from_dict, settings) == [key]


def test_values_at_a_bound_are_accepted():
    config = oe.Config.from_dict(
        {
            "bootstrap_replicates": 100_000,
            "seed": 9_223_372_036_854_775_807,  # 2**63 − 1
            "programme_cost_dkk": 1_000_000_000_000,
            "price_index": {"2024": 1_000_000},
            "survey_scales": {"trust": [-1_000_000, 1_000_000]},
            "youth_ages": [0, 30],
            "discount_rate": 0.99,
            "min_cell": 100_000,
            "comparison": {"ratio": 20, "caliper": 10, "event_window": [-240, 240]},
        }
    )
    assert config.bootstrap_replicates == 100_000
    assert config.seed == 9_223_372_036_854_775_807
    assert config.programme_cost_dkk == 1e12
    assert config.price_index == {2024: 1e6}
    assert config.survey_scales == {"trust": (-1e6, 1e6)}
    assert config.youth_ages == (0, 30)
    assert config.comparison.ratio == 20
    assert config.comparison.caliper == 10.0
    assert config.comparison.event_window == (-240, 240)


def test_bound_hints_say_what_to_write():
    assert hints(oe.Config, bootstrap_replicates=100_001) == {
        "bootstrap_replicates": "bootstrap_replicates must be a whole number from 1 to 100,000."
    }
    assert hints(oe.Config, comparison={"ratio": 21}) == {
        "comparison.ratio": "comparison.ratio must be a whole number from 1 to 20."
    }
    assert hints(oe.Config, discount_rate=1) == {"discount_rate": "discount_rate must be a number from 0 and below 1."}


# -- types ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"bootstrap_replicates": True}, "bootstrap_replicates"),
        ({"seed": False}, "seed"),
        ({"discount_rate": False}, "discount_rate"),
        ({"programme_cost_dkk": True}, "programme_cost_dkk"),
        ({"min_cell": True}, "min_cell"),
        ({"price_year": True}, "price_year"),
        ({"price_index": {"2024": True}}, "price_index"),
        ({"price_index": {True: 100.0}}, "price_index"),
        ({"survey_scales": {"trust": [False, True]}}, "survey_scales"),
        ({"youth_ages": [True, 17]}, "youth_ages"),
        ({"comparison": {"ratio": True}}, "comparison.ratio"),
        ({"comparison": {"caliper": True}}, "comparison.caliper"),
        ({"comparison": {"event_window": [-24, True]}}, "comparison.event_window"),
        ({"comparison": {"event_bin": True}}, "comparison.event_bin"),
    ],
)
def test_a_bool_is_never_a_number(settings: dict[str, Any], key: str):
    assert columns(oe.Config.from_dict, settings) == [key]


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"bootstrap_replicates": "2000"}, "bootstrap_replicates"),
        ({"bootstrap_replicates": 2000.0}, "bootstrap_replicates"),
        ({"min_cell": 5.5}, "min_cell"),
        ({"discount_rate": "0.03"}, "discount_rate"),
        ({"comparison": {"replace": 1}}, "comparison.replace"),
        ({"comparison": {"common_support": "yes"}}, "comparison.common_support"),
        ({"youth_ages": {13, 17}}, "youth_ages"),
        ({"youth_ages": [13, 15, 17]}, "youth_ages"),
        ({"end": 202308}, "end"),
        ({"end": "2023-13"}, "end"),
        ({"work_or_education": []}, "work_or_education"),
        ({"work_or_education": ["job", "holiday"]}, "work_or_education"),
        ({"survey_scales": {"trust": [10, 0]}}, "survey_scales"),
        ({"survey_scales": [0, 10]}, "survey_scales"),
        ({"price_index": {"twenty": 100.0}}, "price_index"),
        ({"design": "experiment"}, "design"),
        ({"comparison": "nearest"}, "comparison"),
        ({"comparison": {"covariates": []}}, "comparison.covariates"),
        ({"comparison": {"exact": ["height"]}}, "comparison.exact"),
        ({"comparison": {"pseudo_enrolment": "2020-3"}}, "comparison.pseudo_enrolment"),
    ],
)
def test_wrong_types_and_shapes_are_refused(settings: dict[str, Any], key: str):
    assert columns(oe.Config.from_dict, settings) == [key]


def test_hints_reuse_the_specific_messages():
    assert hints(oe.Config, work_or_education=["job", "holiday"])["work_or_education"].startswith(
        "Unknown status 'holiday'. Use: job, flexjob, education,"
    )
    assert hints(oe.Config, comparison={"exact": ["height"]})["comparison.exact"].startswith(
        "Unknown covariate 'height'. Use: parent_age,"
    )
    assert hints(oe.Config, end="August") == {"end": 'Write the end month as a string "YYYY-MM", e.g. end = "2023-08".'}


# -- same semantics as the hand-written checks ---------------------------------------------------------------------


def test_values_are_normalised_as_before():
    config = oe.Config.from_dict(
        {
            "end": " 2023-08 ",
            "work_or_education": ["Fleksjob", "job", "beskæftigelse", "SU"],
            "survey_scales": {"Tillid": [0, 10], "own_item": [1, 7]},
            "price_index": {"2024": 119, "2025": 120.5},
            "discount_rate": 0,
            "comparison": {
                "caliper": False,
                "exact": ["two_parents", "two_parents"],
                "pseudo_enrolment": " 2020-03 ",
                "event_window": [-12, 24],
            },
        }
    )
    assert config.end == "2023-08"
    assert config.work_or_education == ("flexjob", "job", "education")  # Danish labels to codes, each once
    assert config.survey_scales == {"trust": (0.0, 10.0), "own_item": (1.0, 7.0)}
    assert config.price_index == {2024: 119.0, 2025: 120.5}
    assert isinstance(config.discount_rate, float)
    assert config.comparison.caliper is None
    assert config.comparison.exact == ("two_parents",)
    assert config.comparison.pseudo_enrolment == "2020-03"
    assert config.comparison.event_window == (-12, 24)
    assert config.scale("trust") == (0.0, 10.0)
    assert config.scale("surplus") == (1.0, 5.0)


def test_lists_become_tuples_on_keyword_construction():
    config = oe.Config(youth_ages=[14, 16], comparison={"covariates": ["parent_age", "children"]})
    assert config.youth_ages == (14, 16)
    assert config.comparison.covariates == ("parent_age", "children")
    assert config.comparison.exact == ()


def test_exact_covariates_must_be_in_the_model_and_not_site():
    assert columns(oe.Config, comparison={"exact": ["site"]}) == ["comparison.exact"]
    assert columns(oe.Config, comparison={"exact": ["children"], "covariates": ["parent_age"]}) == ["comparison.exact"]
    config = oe.Config(comparison={"exact": ["children"], "covariates": ["parent_age", "children"]})
    assert config.comparison.exact == ("children",)


# -- views ---------------------------------------------------------------------------------------------------------


def test_to_dict_is_plain_and_leaves_out_an_absent_caliper():
    config = oe.Config(price_index={"2024": 119}, comparison={"caliper": None, "event_window": [-6, 6]})
    out = config.to_dict()
    assert out["price_index"] == {"2024": 119.0}
    assert out["youth_ages"] == [13, 17]
    assert out["work_or_education"] == ["job", "flexjob", "education"]
    assert out["comparison"]["event_window"] == [-6, 6]
    assert out["comparison"]["exact"] == []
    assert "caliper" not in out["comparison"]
    assert list(out) == [
        "end",
        "work_or_education",
        "youth_ages",
        "bootstrap_replicates",
        "seed",
        "inference_draws",
        "primary_outcomes",
        "discount_rate",
        "programme_cost_dkk",
        "min_cell",
        "dominance_share",
        "lang",
        "survey_scales",
        "price_year",
        "price_index",
        "design",
        "comparison",
    ]
    assert config.to_frame().loc["comparison.caliper", "value"] == "none"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _toml(data: dict[str, Any]) -> str:
    """A TOML document written by hand: plain keys first, then one table per mapping (None is left out)."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if v is not None and not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines.append(f"[{name}]")
            lines.extend(f'"{k}" = {_toml_value(v)}' for k, v in table.items())
    return "\n".join(lines) + "\n"


def test_toml_round_trip(tmp_path: Path):
    config = oe.Config(
        end="2023-08",
        work_or_education=["job", "uddannelse"],
        youth_ages=[12, 18],
        bootstrap_replicates=500,
        seed=7,
        discount_rate=0.035,
        programme_cost_dkk=23_363_875,
        min_cell=10,
        lang="en",
        survey_scales={"tillid": [0, 10]},
        price_year=2023,
        price_index={"2024": 119.5},
        design="observational",
        comparison={
            "method": "nearest",
            "ratio": 2,
            "caliper": 0.1,
            "replace": True,
            "distance": "score",
            "common_support": False,
            "exact": ["two_parents"],
            "covariates": ["parent_age", "two_parents", "site"],
            "pseudo_enrolment": "2020-01",
            "event_window": [-12, 12],
            "event_bin": 3,
        },
    )
    path = tmp_path / "evaluation.toml"
    path.write_text(_toml(config.to_dict()), encoding="utf-8")
    again = oe.Config.from_toml(path)
    assert again == config
    assert again.work_or_education == ("job", "education")
    assert again.survey_scales == {"trust": (0.0, 10.0)}
    assert again.price_index == {2024: 119.5}
    assert again.programme_cost_dkk == 23_363_875.0
    assert again.comparison.exact == ("two_parents",)
    assert again.comparison.event_window == (-12, 12)


def test_a_toml_file_names_itself_in_the_failures(tmp_path: Path):
    path = tmp_path / "evaluation.toml"
    path.write_text('lang = "fr"\n[comparison]\nratio = 0\nmethod = "greedy"\nevent_bin = 2\n', encoding="utf-8")
    assert refused(oe.Config.from_toml, path) == [
        ("evaluation.toml", "lang", "'fr'"),
        ("evaluation.toml", "comparison.method", "'greedy'"),
        ("evaluation.toml", "comparison.ratio", "0"),
        ("evaluation.toml", "comparison.event_bin", "2"),
    ]
