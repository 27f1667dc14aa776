"""A real network (TNTP Sioux Falls) imported and routed; checked against scipy on the
raw file."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from corridor.network.graph import build_network
from corridor.network.routing import Router
from corridor.network.tntp import TntpError, read_net, tntp_scenario
from corridor.scenario import load_scenario

# Beside the checkout, or at /work/shared for a clone elsewhere (CI); not copied into
# the repo (shared/data/transport-networks/README.md).
SIOUX = next((p for p in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared"))
              if p.is_dir()), Path("/work/shared")) / "data/transport-networks/SiouxFalls"


def _raw_lengths(path: Path) -> sparse.csr_array:
    """Parse the raw net file independently: init term capacity length ..."""
    rows = []
    body = path.read_text().split("<END OF METADATA>")[1]
    for ln in body.splitlines():
        f = ln.strip().rstrip(";").split()
        if f and not f[0].startswith("~"):
            rows.append((int(f[0]) - 1, int(f[1]) - 1, float(f[3])))
    a = np.array(rows)
    n = int(a[:, :2].max()) + 1
    return sparse.csr_array((a[:, 2], (a[:, 0].astype(int), a[:, 1].astype(int))), shape=(n, n))


@pytest.mark.skipif(not SIOUX.is_dir(), reason="shared TNTP data not present")
def test_sioux_falls_routes_match_dijkstra_on_raw_file(tmp_path: Path) -> None:
    folder = tntp_scenario(SIOUX, tmp_path / "sf")
    s = load_scenario(folder)
    assert len(s.nodes) == 24 and len(s.links) == 76
    net = build_network(s)
    router = Router(net)
    raw = _raw_lengths(SIOUX / "SiouxFalls_net.tntp")
    dist = dijkstra(raw, directed=True)
    assert dist[0, 19] == 22  # node 1 -> 20: the known free-flow shortest path length
    for o in (1, 7, 13):
        for d in (2, 10, 20, 24):
            if o == d:
                continue
            r = router.route(f"n{o}", f"n{d}", "hmmwv")  # drives itself: time ~ distance
            assert r.total_km == pytest.approx(dist[o - 1, d - 1])
            nodes = [int(x[1:]) for x in r.nodes]
            assert sum(raw[a - 1, b - 1] for a, b in itertools.pairwise(nodes)) \
                == pytest.approx(r.total_km)


def test_bad_tntp_line(tmp_path: Path) -> None:
    p = tmp_path / "x_net.tntp"
    p.write_text("<END OF METADATA>\n1 2 3\n")
    with pytest.raises(TntpError, match="line 2"):
        read_net(p)
