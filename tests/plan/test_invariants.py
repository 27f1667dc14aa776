"""Invariants every plan must satisfy, read back from its result tables: cargo is
conserved, no link takes more departures than it allows (and none while closed), no
fleet has more trips in flight than carriers, no item crosses a link rated below its
MLC, and every carrier trip starts where that carrier is."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.plan.conftest import library, planned

from corridor.plan import PlanResult, solve_plan
from corridor.scenario import Scenario

TOL = 1e-6


def check_conservation(s: Scenario, r: PlanResult) -> None:
    """Cargo is neither created nor lost: at every place but the origin, what leaves by
    any time has arrived by then; at the origin no more than the movement leaves; what
    was shipped is delivered or waiting at a transfer place at the horizon."""
    f = r.flows.assign(amount=r.flows["t"] + r.flows["pax"])
    moved = s.movements
    for (mid, cls), legs in f.groupby(["movement", "cargo_class"]):
        if mid not in moved.index:
            continue
        origin, dest = moved.at[mid, "origin"], moved.at[mid, "destination"]
        events = pd.concat([
            pd.DataFrame({"node": legs["to"], "day": legs["arrive_day"], "first": 0,
                          "d": legs["amount"]}),
            pd.DataFrame({"node": legs["from"], "day": legs["depart_day"], "first": 1,
                          "d": -legs["amount"]}),
        ])
        events["day"] = events["day"].round(6)  # legs of one trip meet at the same instant
        for node, ev in events.groupby("node"):
            stock = ev.sort_values(["day", "first"])["d"].cumsum()
            if node == origin:  # its stock is the class: nothing comes back unsent
                assert stock.max() <= 1e-6 * max(1.0, legs["amount"].max()), (mid, cls)
                continue
            assert stock.min() >= -1e-6 * max(1.0, legs["amount"].max()), (mid, cls, node)
        shipped = legs.loc[legs["from"] == origin, "amount"].sum() - \
            legs.loc[legs["to"] == origin, "amount"].sum()
        arrived = legs.loc[legs["to"] == dest, "amount"].sum() - \
            legs.loc[legs["from"] == dest, "amount"].sum()
        assert arrived <= shipped + 1e-6 * max(1.0, shipped), (mid, cls)


def check_link_capacity(s: Scenario, r: PlanResult) -> None:
    if r.trips.empty:
        return
    legs = r.trips.explode(["leg_links", "leg_from", "leg_enter_day"])
    legs["day"] = np.floor(legs["leg_enter_day"].astype(float) + 1e-9)
    per_day = legs.groupby(["leg_links", "leg_from", "day"])["trips"].sum()
    cap = s.links["capacity_per_day"]
    for (link, _, day), n in per_day.items():
        assert n <= cap[link] + TOL, f"{link} day {day}: {n} departures > {cap[link]}"
    closed = s.disruptions[(s.disruptions["kind"] == "window")
                           & (s.disruptions["capacity_factor"] <= 0)
                           & s.disruptions["target"].isin(s.links.index)]
    for _, d in closed.iterrows():
        inside = legs[(legs["leg_links"] == d["target"])
                      & (legs["leg_enter_day"].astype(float) >= d["start_day"] + TOL)
                      & (legs["leg_enter_day"].astype(float) < d["end_day"] - TOL)]
        assert inside.empty, f"trips enter {d['target']} while it is closed"


def check_fleets(s: Scenario, r: PlanResult) -> None:
    for fleet, trips in r.trips.groupby("fleet"):
        ev = pd.concat([pd.DataFrame({"day": trips["depart_day"], "d": trips["trips"]}),
                        pd.DataFrame({"day": trips["back_day"], "d": -trips["trips"]})])
        ev = ev.sort_values(["day", "d"])  # returns before departures at the same instant
        in_flight = ev["d"].cumsum().max()
        assert in_flight <= s.carriers.at[fleet, "count"] + TOL, fleet
    c = r.carriers
    if not c.empty:
        assert (c["carrier"] <= c["fleet"].map(s.carriers["count"])).all()


def check_mlc(s: Scenario, r: PlanResult) -> None:
    mlc = s.equipment["mlc"]
    for link, cell in zip(r.flows["link"], r.flows["items"], strict=True):
        items = {k: v for k, v in json.loads(cell).items() if v > TOL}
        if items:
            worst = max(mlc[k] for k in items)
            assert worst <= s.links.at[link, "max_mlc"], f"MLC {worst} item on {link}"


def check_carriers_start_where_they_are(s: Scenario, r: PlanResult) -> None:
    c = r.carriers
    if c.empty:
        return
    assert c["on_time"].all()
    for (fleet, _), trips in c.groupby(["fleet", "carrier"]):
        trips = trips.sort_values("depart_day")
        home = s.carriers.at[fleet, "home"]
        assert trips["was_at"].iloc[0] == home
        assert trips["free_day"].iloc[0] == pytest.approx(s.carriers.at[fleet,
                                                                        "available_day"])
        assert (trips["was_at"].iloc[1:].to_numpy() == trips["to"].iloc[:-1].to_numpy()).all()
        assert np.allclose(trips["free_day"].iloc[1:], trips["arrive_day"].iloc[:-1])
        assert (trips["depart_day"] >= trips["free_day"] - TOL).all()


def check_all(s: Scenario, r: PlanResult) -> None:
    check_conservation(s, r)
    check_link_capacity(s, r)
    check_fleets(s, r)
    check_mlc(s, r)
    check_carriers_start_where_they_are(s, r)


def test_invariants_on_an_eastern_flank_slice(subset_plan: tuple[Scenario, PlanResult]
                                              ) -> None:
    s, r = subset_plan
    assert not r.flows.empty and not r.trips.empty
    check_all(s, r)


@pytest.mark.parametrize("name", ["single-link", "fleet-cycle", "bridge-detour",
                                  "gauge-break"])
def test_invariants_on_teaching_scenarios(name: str) -> None:
    s = library(name)
    check_all(s, solve_plan(s, progress=False))


@pytest.mark.slow  # about a minute on the 2-core machine
def test_invariants_on_eastern_flank() -> None:
    s = library("eastern-flank")
    r = planned("eastern-flank")  # shared with tests/plan/test_unmet.py
    check_all(s, r)
    assert r.summary["bottlenecks"]
