"""The ``corridor network``, ``corridor route`` and ``corridor export`` commands.

Heavy libraries are imported inside the functions so ``corridor --help`` stays fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.console import console, fail, load_or_exit

ScenarioArg = Annotated[str, typer.Argument(help="scenario folder, YAML file or built-in name")]


def _num(v: Any, fmt: str = ",.1f") -> str:
    """A number for a table cell; '-' for missing, NaN or unlimited."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return format(v, fmt)


SHOW_ALL_UP_TO = 40  # cargo lines shown in full; beyond, only those without a route


def network(
    scenario: ScenarioArg,
    show_all: Annotated[bool, typer.Option(
        "--all", help="list every cargo line, not only those without a route")] = False,
) -> None:
    """Network facts (nodes, links and km by mode and country; disconnected parts; gauge
    changes: where rail gauges meet, with the transshipment capacity there or none;
    unusable links) and, for every movement and each cargo it carries, whether a route
    exists and why not. Exit 1 if some movement's cargo has no route."""
    from rich.progress import Progress
    from rich.table import Table

    from corridor.network.graph import build_network
    from corridor.network.routing import Router
    from corridor.network.summary import (
        by_country,
        by_mode,
        components,
        gauge_changes,
        movement_routes,
    )

    s = load_or_exit(scenario)
    net = build_network(s)
    console.print(f"[bold]{s.name}[/]: {len(net.nodes):,} nodes, {len(s.links):,} links "
                  f"({len(net.arcs):,} arcs), {len(net.fleets)} fleets")

    t = Table(title="By mode")
    for c in ("mode", "links", "arcs", "km", "unusable arcs"):
        t.add_column(c, justify="left" if c == "mode" else "right")
    for r in by_mode(s, net).to_dict("records"):
        t.add_row(str(r["mode"]), f"{r['links']:,}", f"{r['arcs']:,}", _num(r["km"], ",.0f"),
                  f"{r['unusable_arcs']:,}")
    console.print(t)

    t = Table(title="By country")
    for c in ("country", "nodes", "links inside", "km inside", "border links", "border km"):
        t.add_column(c, justify="left" if c == "country" else "right")
    for r in by_country(s, net).to_dict("records"):
        t.add_row(str(r["country"]), f"{r['nodes']:,}", f"{r['links']:,}",
                  _num(r["km"], ",.0f"), f"{r['border_links']:,}", _num(r["border_km"], ",.0f"))
    console.print(t)

    comp = components(net)
    if comp.count == 1:
        console.print("[green]connected[/]: every node is linked to every other (usable links)")
    else:
        order = list(reversed(comp.sizes.argsort()))
        console.print(f"[yellow]{comp.count} disconnected parts[/] (usable links, any mode):")
        for c in order[:10]:
            names = ", ".join(comp.members(net, int(c)))
            more = " …" if comp.sizes[c] > 5 else ""
            console.print(f"  {comp.sizes[c]:,} node(s): {names}{more}", markup=False)
        if comp.count > 10:
            console.print(f"  … and {comp.count - 10} more")
    gauges = gauge_changes(net)
    if len(gauges):
        t = Table(title="Gauge changes (rail)")
        for c in ("node", "country", "gauges mm", "transshipment", "links"):
            t.add_column(c, overflow="fold")
        for r in gauges.to_dict("records"):
            cap = float(r["transship_t_per_day"])
            t.add_row(str(r["node"]), str(r["country"]), str(r["gauges"]),
                      f"{_num(cap, ',.0f')} t/day" if cap > 0
                      else "[bold red]no transshipment[/]", str(r["links"]))
        console.print(t)
    bad = [i for i in range(len(s.links)) if not net.arcs.usable[i]]
    for i in bad[:20]:
        console.print(f"[yellow]unusable[/] link {net.link_ids[i]}: {net.arc_reason(i)}")
    if len(bad) > 20:
        console.print(f"  … and {len(bad) - 20} more unusable links")

    if len(s.movements) == 0:
        console.print("no movements to route")
        return
    router = Router(net)
    with Progress(transient=True, console=console) as progress:
        task = progress.add_task("routing movements' cargo", total=100)
        tick: Callable[[], None] = lambda: progress.advance(task)  # noqa: E731
        rows = movement_routes(s, net, router, tick)
    shown = rows if show_all or len(rows) <= SHOW_ALL_UP_TO else rows[~rows["ok"]]
    title = "Routes per movement and cargo"
    if len(shown) < len(rows):
        title += f" (only the {len(shown)} without a route; --all lists all {len(rows)})"
    t = Table(title=title)
    for c in ("movement", "cargo", "count", "route", "h", "km", "on", "why not"):
        t.add_column(c, justify="right" if c in ("count", "h", "km") else "left",
                     overflow="fold")
    for r in shown.to_dict("records"):
        ok = bool(r["ok"])
        t.add_row(str(r["movement"]), str(r["cargo"]), f"{r['count']:,}",
                  "[green]yes[/]" if ok else "[bold red]no[/]", _num(r["hours"]),
                  _num(r["km"], ",.0f"), str(r["fleets"] or r["reason"]) if ok else "",
                  "" if ok else str(r["reason"]))
    if len(shown):
        console.print(t)
    failed = rows[~rows["ok"]]
    if len(failed):
        n = failed["movement"].nunique()
        console.print(f"[bold red]{n} movement(s) carry cargo with no route[/] "
                      f"({len(failed)} cargo line(s)); see 'why not'")
        raise typer.Exit(1)
    console.print(f"[green]every movement's cargo has a route[/] ({len(rows)} cargo lines)")


def route(
    scenario: ScenarioArg,
    origin: Annotated[str, typer.Option("--from", help="origin node id")],
    destination: Annotated[str, typer.Option("--to", help="destination node id")],
    item: Annotated[str, typer.Option(
        "--item", help="equipment type id (e.g. leopard2a6), 'pax', 'bulk' or 'litter'")
    ] = "bulk",
    via: Annotated[list[str] | None, typer.Option(
        "--via", help="node to pass, in order (repeat, or separate with ';')")] = None,
    alternatives: Annotated[int, typer.Option(
        "--alternatives", "-k", min=1, max=20, help="show up to K diverse routes")] = 1,
    ready_day: Annotated[float, typer.Option(
        "--ready-day", min=0.0, help="day the cargo is ready (a trip waits for its fleet's "
        "available_day)")] = 0.0,
) -> None:
    """The fastest route for one item, people or bulk: legs with mode, fleet, km and hours,
    total distance and time, and the binding MLC. Exit 1 (with the reason) if none.
    Between two --via nodes that share a sea, air or inland-water mode the route crosses
    by that mode wherever it can (the gateway rule the planner and simulator follow,
    docs/model.md "Via stops"); a trip never starts before its fleet's available_day."""
    from rich.table import Table

    from corridor.network.gateways import gateway_routes
    from corridor.network.graph import build_network
    from corridor.network.routing import NoRoute, Router, when_available

    s = load_or_exit(scenario)
    net = build_network(s)
    stops = [v.strip() for x in (via or []) for v in x.split(";") if v.strip()]
    router = Router(net)
    try:
        routes = gateway_routes(router, origin, destination, item, stops, alternatives)
        routes = sorted((when_available(net, r, ready_day * 24.0) for r in routes),
                        key=lambda r: r.total_h)
    except ValueError as e:
        fail(str(e))
    except NoRoute as e:
        console.print(f"[bold red]no route[/] for {item} from {origin} to {destination}"
                      f"{' via ' + ', '.join(stops) if stops else ''}: {e.reason}",
                      soft_wrap=True)
        raise typer.Exit(1) from None
    for n, r in enumerate(routes, start=1):
        title = f"Route {n} of {len(routes)}" if len(routes) > 1 else "Route"
        t = Table(title=f"{title}: {item} {origin} → {destination}")
        for c in ("from", "to", "link", "mode", "fleet", "km", "depart h", "travel h"):
            t.add_column(c, justify="right" if c in ("km", "depart h", "travel h") else "left",
                         overflow="fold")
        for leg in r.legs:
            t.add_row(leg.from_node, leg.to_node, leg.link,
                      leg.mode + (f" {leg.gauge_mm} mm" if leg.gauge_mm else ""),
                      leg.fleet or "self (road march)", _num(leg.km),
                      _num(leg.start_h, ".2f"), _num(leg.hours, ".2f"))
        console.print(t)
        for w in r.waits:
            console.print(f"  at {w.node} waits {w.hours:.2f} h for fleet {w.fleet}, "
                          f"available from day {w.available_day:g} "
                          f"({w.available_day * 24:g} h)")
        for ch in r.changes:
            what = "transships (gauge change)" if ch.transship else "changes carrier"
            console.print(f"  at {ch.node} {what}: {ch.from_fleet or 'self'} → "
                          f"{ch.to_fleet or 'self'}, {ch.hours:g} h")
        mlc = (f"MLC {r.binding_mlc:g} (link {r.binding_link})" if r.binding_link
               else "no MLC limit on the way")
        console.print(f"[bold]total[/] {r.total_km:,.1f} km, {r.total_h:.2f} h "
                      f"({r.total_h / 24:.2f} days) incl. loading, unloading and transfers"
                      f"{' and waiting for fleets' if r.waits else ''}"
                      f"{f' from ready day {ready_day:g}' if ready_day else ''}; "
                      f"binding {mlc}")


def export(
    scenario: ScenarioArg,
    out: Annotated[Path, typer.Option("--out", help="FILE.geojson or FILE.gpkg")],
) -> None:
    """Write nodes (points) and links (lines) with every attribute for GIS (EPSG:4326):
    GeoJSON with no extra libraries, GeoPackage with the optional 'geo' extra."""
    from corridor.network.export import ExportError
    from corridor.network.export import export as do_export

    s = load_or_exit(scenario)
    try:
        n = do_export(s, out)
    except ExportError as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write {out}: {e.strerror or e}")
    console.print(f"[green]wrote[/] {out} ({n:,} features: {len(s.nodes):,} nodes, "
                  f"{len(s.links):,} links)")


COMMANDS: dict[str, Callable[..., Any]] = {"network": network, "route": route, "export": export}
