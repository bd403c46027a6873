"""Tests for the top-performer score (recognition.scoring), with planted agent data."""
import math
import random
from dataclasses import replace

import pytest

from recognition.scoring import (
    COMPONENTS,
    AgentAggregate,
    ScoreSettings,
    bayesian_average,
    nps,
    rank_agents,
    summarize_category,
    wilson_lower_bound,
)

DEFAULTS = ScoreSettings()


def make_agent(username, contacts=400, fcr=0.85, reopen=0.05, aht=360.0, surveys=0,
               promoters=0.5, detractors=0.1, csat_mean=4.2):
    """An agent whose counts follow the given rates; `surveys` answers to both NPS and CSAT."""
    return AgentAggregate(
        username=username,
        contacts=contacts,
        fcr_count=round(contacts * fcr),
        reopened_count=round(contacts * reopen),
        aht_mean=aht,
        nps_promoters=round(surveys * promoters),
        nps_detractors=round(surveys * detractors),
        nps_responses=surveys,
        csat_sum=round(surveys * csat_mean),
        csat_responses=surveys,
    )


def team(*extra):
    """A category of ordinary agents (median AHT 360 s, FCR about 0.80), plus `extra` agents."""
    ordinary = [
        make_agent("dara", fcr=0.78, aht=340, surveys=80),
        make_agent("elham", fcr=0.80, aht=360, surveys=80),
        make_agent("farid", fcr=0.82, aht=380, surveys=80),
    ]
    return ordinary + list(extra)


def by_name(breakdowns):
    return {breakdown.username: breakdown for breakdown in breakdowns}


def order(breakdowns):
    return [breakdown.username for breakdown in breakdowns]


# --- building blocks -------------------------------------------------------------------------


def test_wilson_lower_bound_of_five_out_of_five_matches_the_published_value():
    # 5/5 at 95% confidence: the textbook Wilson interval is [0.566, 1].
    assert wilson_lower_bound(5, 5, 1.96) == pytest.approx(0.5655, abs=1e-4)


def test_wilson_lower_bound_grows_with_evidence_at_the_same_rate():
    bounds = [wilson_lower_bound(9 * n, 10 * n, 1.96) for n in (1, 10, 100, 1000)]
    assert bounds == sorted(bounds)
    assert all(bound < 0.9 for bound in bounds)
    assert bounds[-1] == pytest.approx(0.9, abs=0.02)


def test_wilson_lower_bound_without_contacts_is_zero():
    assert wilson_lower_bound(0, 0, 1.96) == 0.0


def test_wilson_lower_bound_refuses_more_successes_than_trials():
    with pytest.raises(ValueError):
        wilson_lower_bound(6, 5, 1.96)


def test_bayesian_average_blends_data_and_prior_by_weight():
    # Ten answers summing to 50 (mean 5) against a prior of 3 worth ten answers: halfway.
    assert bayesian_average(50, 10, 3.0, 10) == pytest.approx(4.0)


def test_bayesian_average_without_data_is_the_prior():
    assert bayesian_average(0, 0, 3.7, 20) == 3.7


def test_nps_is_promoters_minus_detractors_in_percent():
    assert nps(5, 2, 10) == pytest.approx(30.0)
    assert nps(0, 4, 4) == pytest.approx(-100.0)


def test_nps_without_responses_is_none():
    assert nps(0, 0, 0) is None


def test_category_baseline_pools_contacts_and_takes_the_median_aht_of_eligible_agents():
    agents = [make_agent("a", contacts=100, fcr=0.9, aht=300),
              make_agent("b", contacts=300, fcr=0.7, aht=500),
              make_agent("c", contacts=200, fcr=0.8, aht=400),
              make_agent("newcomer", contacts=5, fcr=1.0, aht=9000)]
    baseline = summarize_category(agents, DEFAULTS)
    assert baseline.fcr_rate == pytest.approx((90 + 210 + 160 + 5) / 605)
    assert baseline.aht_median == 400


# --- eligibility -----------------------------------------------------------------------------


def test_agent_with_five_perfect_contacts_is_not_eligible():
    perfect = make_agent("newcomer", contacts=5, fcr=1.0, reopen=0.0, aht=120, surveys=5,
                         promoters=1.0, detractors=0.0, csat_mean=5.0)
    result = by_name(rank_agents(team(perfect), DEFAULTS))["newcomer"]
    assert (result.eligible, result.rank, result.score) == (False, None, None)
    assert "30" in str(result.reason) and "5" in str(result.reason)


def test_ineligible_agents_are_listed_after_the_ranked_ones():
    agents = team(make_agent("newcomer", contacts=5), make_agent("trainee", contacts=12))
    results = rank_agents(agents, DEFAULTS)
    assert [result.eligible for result in results] == [True, True, True, False, False]
    assert order(results)[3:] == ["trainee", "newcomer"]
    assert [result.rank for result in results[:3]] == [1, 2, 3]


def test_small_sample_is_shrunk_even_when_eligibility_allows_it():
    settings = replace(DEFAULTS, min_contacts=1)
    lucky = make_agent("lucky", contacts=5, fcr=1.0, reopen=0.0, aht=360)
    proven = make_agent("proven", contacts=400, fcr=0.95, reopen=0.02, aht=360)
    results = by_name(rank_agents(team(lucky, proven), settings))
    assert results["proven"].rank < results["lucky"].rank
    assert results["lucky"].components["fcr"].adjusted < 0.6


def test_all_agents_ineligible_gives_no_ranks():
    agents = [make_agent("a", contacts=10), make_agent("b", contacts=29)]
    results = rank_agents(agents, DEFAULTS)
    assert order(results) == ["b", "a"]
    assert all(not result.eligible and result.rank is None for result in results)


def test_single_agent_is_ranked_first_without_percentiles():
    [result] = rank_agents([make_agent("solo", surveys=40)], DEFAULTS)
    assert result.rank == 1
    assert all(component.percentile is None for component in result.components.values())


def test_no_agents_gives_an_empty_ranking():
    assert rank_agents([], DEFAULTS) == []


# --- what wins -----------------------------------------------------------------------------


def test_high_fcr_agent_outranks_one_with_lower_fcr_and_triple_aht():
    steady = make_agent("steady", contacts=400, fcr=0.93, reopen=0.03, aht=360)
    slow = make_agent("slow", contacts=400, fcr=0.90, reopen=0.03, aht=3 * 360)
    results = by_name(rank_agents(team(steady, slow), DEFAULTS))
    assert results["steady"].rank == 1
    assert results["slow"].rank > results["steady"].rank


def test_fast_agent_with_repeat_contacts_does_not_beat_slower_agent_with_high_fcr():
    # Credited for its speed, the rusher would win: the quality gate is what stops it.
    rusher = make_agent("rusher", fcr=0.75, reopen=0.15, aht=170)
    thorough = make_agent("thorough", fcr=0.90, reopen=0.03, aht=470)
    results = by_name(rank_agents(team(rusher, thorough), DEFAULTS))
    assert results["thorough"].rank < results["rusher"].rank


def test_speed_earns_nothing_when_fcr_is_well_below_the_category():
    rusher = make_agent("rusher", fcr=0.66, reopen=0.05, aht=170)
    at_median = replace(rusher, username="same_but_median_speed", aht_mean=360.0)
    results = by_name(rank_agents(team(rusher, at_median), DEFAULTS))
    assert results["rusher"].aht_quality_gate == 0.0
    assert results["rusher"].score == pytest.approx(results["same_but_median_speed"].score)
    assert results["rusher"].notes


def test_speed_earns_nothing_when_reopen_rate_is_well_above_the_category():
    reopener = make_agent("reopener", fcr=0.85, reopen=0.30, aht=170)
    results = by_name(rank_agents(team(reopener), DEFAULTS))
    assert results["reopener"].aht_quality_gate == 0.0
    assert results["reopener"].components["aht"].adjusted == 0.0


def test_speed_counts_in_full_with_good_fcr_and_few_reopens():
    quick = make_agent("quick", fcr=0.88, reopen=0.02, aht=150)  # under half the median
    results = by_name(rank_agents(team(quick), DEFAULTS))
    assert results["quick"].aht_quality_gate == 1.0
    assert results["quick"].components["aht"].adjusted == pytest.approx(1.0)
    assert results["quick"].rank == 1


def test_slow_agent_with_low_fcr_gets_no_remark_about_speed():
    struggling = make_agent("struggling", fcr=0.60, reopen=0.20, aht=600)
    assert by_name(rank_agents(team(struggling), DEFAULTS))["struggling"].notes == ()


def test_speed_is_damped_gradually_just_below_the_category_fcr():
    near = make_agent("near", fcr=0.78, reopen=0.02, aht=180)
    gate = by_name(rank_agents(team(near), DEFAULTS))["near"].aht_quality_gate
    assert 0.0 < gate < 1.0


def test_weights_decide_between_thoroughness_and_speed():
    thorough = make_agent("thorough", fcr=0.92, reopen=0.02, aht=500)
    quick = make_agent("quick", fcr=0.86, reopen=0.02, aht=250)
    fcr_first = by_name(rank_agents(team(thorough, quick),
                                    replace(DEFAULTS, fcr_weight=0.8, aht_weight=0.1)))
    speed_first = by_name(rank_agents(team(thorough, quick),
                                      replace(DEFAULTS, fcr_weight=0.1, aht_weight=0.8)))
    assert fcr_first["thorough"].rank < fcr_first["quick"].rank
    assert speed_first["quick"].rank < speed_first["thorough"].rank


def test_few_glowing_surveys_are_pulled_toward_the_category():
    rare = make_agent("rare", surveys=2, promoters=1.0, detractors=0.0, csat_mean=5.0)
    results = by_name(rank_agents(team(rare), DEFAULTS))
    category_nps = summarize_category(team(rare), DEFAULTS).nps
    assert category_nps < results["rare"].components["nps"].adjusted < 50
    assert results["rare"].components["nps"].raw == 100.0
    assert results["rare"].components["csat"].adjusted < 4.5


# --- explanation and determinism ---------------------------------------------------------------


def test_contributions_add_up_to_the_score_within_0_and_100():
    agents = team(make_agent("gina", fcr=0.95, aht=200, surveys=300, promoters=0.9,
                             detractors=0.0, csat_mean=4.9))
    for result in rank_agents(agents, DEFAULTS):
        total = sum(component.contribution for component in result.components.values())
        assert result.score == pytest.approx(total)
        assert 0 <= result.score <= 100
        assert sum(component.weight for component in result.components.values()) == \
            pytest.approx(1.0)


def test_percentiles_place_the_best_and_worst_fcr():
    results = by_name(rank_agents(team(), DEFAULTS))
    assert results["farid"].components["fcr"].percentile == 100.0
    assert results["elham"].components["fcr"].percentile == 50.0
    assert results["dara"].components["fcr"].percentile == 0.0


def test_without_surveys_nps_and_csat_drop_out_and_weights_are_rescaled():
    agents = [make_agent("a", fcr=0.9, aht=300), make_agent("b", fcr=0.8, aht=400),
              make_agent("c", fcr=0.85, aht=350)]
    results = rank_agents(agents, DEFAULTS)
    for result in results:
        assert result.components["nps"].weight == result.components["csat"].weight == 0.0
        assert result.components["nps"].raw is None
        assert result.components["fcr"].weight == pytest.approx(
            DEFAULTS.fcr_weight / (DEFAULTS.fcr_weight + DEFAULTS.aht_weight))
    assert order(results) == ["a", "c", "b"]


def test_ranking_does_not_depend_on_input_order():
    agents = team(make_agent("gina", fcr=0.9, aht=300, surveys=50),
                  make_agent("hadi", fcr=0.88, aht=420, surveys=10),
                  make_agent("iman", contacts=20),
                  make_agent("jaleh", fcr=0.7, reopen=0.2, aht=150, surveys=30))
    expected = [(result.username, result.rank, result.score)
                for result in rank_agents(agents, DEFAULTS)]
    for seed in range(20):
        shuffled = agents[:]
        random.Random(seed).shuffle(shuffled)
        assert [(result.username, result.rank, result.score)
                for result in rank_agents(shuffled, DEFAULTS)] == expected


def test_equal_scores_go_to_more_contacts_then_to_the_username():
    speed_only = replace(DEFAULTS, fcr_weight=0, nps_weight=0, csat_weight=0, aht_weight=1)
    agents = [make_agent("zoe", contacts=100, fcr=0.8, aht=360),
              make_agent("bea", contacts=100, fcr=0.8, aht=360),
              make_agent("max", contacts=300, fcr=0.8, aht=360)]
    results = rank_agents(agents, speed_only)
    assert len({round(result.score, 9) for result in results}) == 1
    assert order(results) == ["max", "bea", "zoe"]


# --- invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [
    {"fcr_weight": -0.1},
    {"fcr_weight": 0, "nps_weight": 0, "csat_weight": 0, "aht_weight": 0},
    {"min_contacts": 0},
    {"z": 0},
    {"nps_prior_weight": -1},
    {"aht_quality_band": -0.01},
])
def test_invalid_settings_are_refused(changes):
    with pytest.raises(ValueError):
        replace(DEFAULTS, **changes)


@pytest.mark.parametrize("changes", [
    {"fcr_count": 401}, {"reopened_count": -1}, {"nps_promoters": 30, "nps_responses": 20},
])
def test_inconsistent_aggregates_are_refused(changes):
    with pytest.raises(ValueError):
        replace(make_agent("a", surveys=0), **changes)


def test_an_agent_listed_twice_is_refused():
    with pytest.raises(ValueError):
        rank_agents([make_agent("a"), make_agent("a")], DEFAULTS)


def test_every_component_is_explained_for_every_agent():
    results = rank_agents(team(make_agent("newcomer", contacts=3)), DEFAULTS)
    for result in results:
        assert set(result.components) == set(COMPONENTS)
        assert all(math.isfinite(component.scaled) for component in result.components.values())


@pytest.mark.parametrize("agent, category, shown", [
    (0.796, 0.80, ("79.6%", "80%")),  # not "FCR 80% is below the category's 80%"
    (0.70, 0.80, ("70%", "80%")),
    (0.7996, 0.80, ("79.96%", "80%")),
])
def test_a_rate_below_the_category_never_reads_as_equal_to_it(agent, category, shown):
    from recognition.scoring import _two_percents
    assert _two_percents(agent, category) == shown
