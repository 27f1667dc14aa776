"""The event kernel and the server queue, against known answers."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from corridor.sim.kernel import Kernel
from corridor.sim.queues import Servers


def test_events_run_in_time_order_and_ties_first_in_first_out() -> None:
    k = Kernel()
    seen: list[tuple[float, int]] = []
    kind = k.register(lambda t, a, b: seen.append((t, a)))
    for i, t in enumerate([3.0, 1.0, 2.0, 1.0, 3.0, 1.0]):
        k.at(t, kind, i)
    k.run(until=2.5)
    assert seen == [(1.0, 1), (1.0, 3), (1.0, 5), (2.0, 2)]
    assert k.events == 4 and len(k.heap) == 2  # the day-3 events wait beyond ``until``
    k.run(until=10.0)
    assert [a for _, a in seen[4:]] == [0, 4]


def test_an_event_scheduled_in_the_past_runs_now() -> None:
    k = Kernel()
    times: list[float] = []
    kind = k.register(lambda t, a, b: times.append(t))

    def first(t: float, a: int, b: int) -> None:
        k.at(t - 5.0, kind)

    k.at(2.0, k.register(first))
    k.run(10.0)
    assert times == [2.0]


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (textbook Erlang C)."""
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def test_mmc_queue_mean_wait_matches_erlang_c() -> None:
    """Poisson arrivals, exponential service, c servers: the mean wait in queue lies in
    the 99 % confidence interval of batch means around Erlang C."""
    lam, mu, c = 2.4, 1.0, 3
    n_batches, per_batch, warmup = 20, 10_000, 5_000
    total = warmup + n_batches * per_batch
    rng = np.random.default_rng(11)
    arrivals = np.cumsum(rng.exponential(1 / lam, total))
    service = rng.exponential(1 / mu, total).tolist()
    k = Kernel()
    start = np.full(total, np.nan)

    def on_start(t: float, job: int) -> float:
        start[job] = t
        return service[job]

    servers = Servers(k, c, 1, on_start)
    arrive = k.register(lambda t, job, _b: servers.arrive(t, job, 0))
    for job, t in enumerate(arrivals.tolist()):
        k.at(t, arrive, job)
    k.run(math.inf)
    wait = (start - arrivals)[warmup:]
    assert not np.isnan(wait).any() and (wait >= -1e-12).all()
    means = wait.reshape(n_batches, per_batch).mean(axis=1)
    half = stats.t.ppf(0.995, n_batches - 1) * means.std(ddof=1) / math.sqrt(n_batches)
    expected = erlang_c_wait(lam, mu, c)
    assert abs(means.mean() - expected) <= half, (means.mean(), expected, half)


def test_priority_class_is_served_first() -> None:
    k = Kernel()
    order: list[int] = []

    def on_start(t: float, job: int) -> float:
        order.append(job)
        return 1.0

    s = Servers(k, 1, 2, on_start)
    go = k.register(lambda t, job, cls: s.arrive(t, job, cls))
    k.at(0.0, go, 0, 1)  # takes the server
    k.at(0.1, go, 1, 1)  # routine, waits
    k.at(0.2, go, 2, 0)  # urgent, overtakes job 1
    k.run(10.0)
    assert order == [0, 2, 1]


def test_a_booking_takes_the_earliest_free_gap_even_out_of_order() -> None:
    from corridor.sim.slots import Slots

    s = Slots()
    assert s.book(10.0, 1.0) == 10.0  # booked ahead (a trip worked out in advance)
    assert s.book(2.0, 1.0) == 2.0  # an earlier arrival is not held behind it
    assert s.book(9.5, 1.0) == 11.0  # no gap of 1 before day 10 from 9.5: after it
    assert s.book(3.0, 6.0) == 3.0  # the gap 3..9 fits exactly
    assert s.book(3.0, 0.5) == 9.0
    assert s.book(0.0, 2.0) == 0.0
    assert s.book(0.0, 0.5) == 9.5  # only the gap 9.5..10 is left before day 12
    assert (s.starts, s.ends) == ([0.0], [12.0])  # touching bookings merge


def test_in_order_bookings_pass_exactly_the_rate() -> None:
    from corridor.sim.slots import Slots

    s = Slots()
    starts = [s.book(0.0, 1 / 8) for _ in range(80)]
    per_day = np.bincount(np.floor(np.array(starts) + 1e-9).astype(int))
    assert per_day.tolist() == [8] * 10


def _take_reference(slots: object, prof: object, t: float, length: float) -> float:
    """``slots.take`` as first written (profile methods only): the written-out version
    must book exactly the same."""
    from corridor.sim.disruptions import Profile
    from corridor.sim.slots import Slots

    assert isinstance(slots, Slots) and isinstance(prof, Profile)
    for _ in range(64):
        t = prof.next_open(t)
        if t == math.inf:
            return math.inf
        start, _ = slots.earliest(t, length / prof.factor_at(t))
        if start == t or prof.next_open(start) == start:
            return slots.book(start, length / prof.factor_at(start))
        t = start
    return slots.book(t, length)


def test_take_and_the_inline_booking_match_their_reference() -> None:
    """``slots.take`` books what the plain profile methods book, and a way of slotted
    arcs in ``carriers.travel`` books what ``Slots.book`` does, on random calendars."""
    from corridor.sim.carriers import SLOTTED, travel
    from corridor.sim.disruptions import Profile
    from corridor.sim.options import SimOptions
    from corridor.sim.slots import Slots, take
    from corridor.sim.state import Multipliers, RunState

    rng = np.random.default_rng(4)
    for _ in range(20):
        breaks = sorted({0.0, *np.round(rng.uniform(0, 30, 6), 1).tolist()})
        factor = rng.choice([0.0, 0.5, 1.0], len(breaks)).tolist()
        prof = Profile(breaks, factor, [0.0] * len(breaks))
        a, b = Slots(), Slots()
        for _ in range(60):
            t, length = float(rng.uniform(0, 40)), float(rng.choice([0.25, 0.5, 1.0]))
            assert take(a, prof, t, length) == _take_reference(b, prof, t, length)
            assert (a.starts, a.ends) == (b.starts, b.ends)

    class _Run:  # what travel reads for a way of slotted arcs: no travel-time spread
        def __init__(self) -> None:
            self.mult = Multipliers(SimOptions(deterministic=True), rng, ("rail",))
            self.st = RunState.__new__(RunState)  # only the arc calendars are read
            self.st.arc_cal = [Slots()]

    run, ref = _Run(), Slots()
    booked: list[tuple[float, float]] = []
    for _ in range(300):
        t, dt = float(rng.uniform(0, 50)), float(rng.choice([0.1, 0.25, 1.0]))
        way = ((0,), (0.0,), 0.0, 0.0, False, ((0, 0.0, SLOTTED, dt),), -1.0)
        got, lost = travel(run, way, t, 0)  # type: ignore[arg-type]
        # reference: the earliest gap by the plain search, intervals merged afresh
        ref.starts, ref.ends = [b for b, _ in booked], [e for _, e in booked]
        start, _ = ref.earliest(t, dt)
        assert lost == -1 and got == start
        merged: list[tuple[float, float]] = []
        for b, e in sorted([*booked, (start, start + dt)]):
            if merged and merged[-1][1] == b:
                merged[-1] = (merged[-1][0], e)
            else:
                merged.append((b, e))
        booked = merged
        cal = run.st.arc_cal[0]
        assert list(zip(cal.starts, cal.ends, strict=True)) == booked
