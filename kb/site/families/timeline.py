"""The timeline: sources and claims by year, forecasts by when they resolve."""
# A long timeline gets a page per year.

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kb.model.records import Forecast
from kb.site import maps
from kb.site.families.base import record_page, single_page
from kb.site.page import Page, PageFamily
from kb.site.paths import Paths

if TYPE_CHECKING:
    from kb.site.site import Site

RESOLVED_WORDS = {"true": "yes", "false": "no", "ambiguous": "unclear"}


def forecast_status(forecast: Forecast, group: str) -> str:
    """Return what a forecast's timeline entry says of it: due when, overdue, or how resolved."""
    if group == "resolved":
        return "resolved: " + RESOLVED_WORDS.get(forecast.resolution.value, "unclear")
    if group == "overdue":
        return "overdue, unresolved"
    return "due " + forecast.resolves


def _group(forecast: Forecast, reference_date: str) -> str:
    """Return whether a forecast is resolved, overdue or upcoming on the reference date."""
    if forecast.resolution.value != "open":
        return "resolved"
    if forecast.resolves < reference_date:
        return "overdue"
    return "upcoming"


def _forecasts(site: Site, shown: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Return the forecasts resolving in the years shown: upcoming, overdue and resolved."""
    years = site.timeline_years
    forecasts: dict[str, list[dict[str, Any]]] = {"upcoming": [], "overdue": [], "resolved": []}
    for y in shown:
        for cid in years[y]["forecasts"]:
            f = site.kb.claims[cid].forecast
            assert f is not None
            group = _group(f, site.reference_date)
            forecasts[group].append(
                {**_claim_link(site, cid), "forecast": f, "status": forecast_status(f, group)}
            )
    for rows in forecasts.values():
        rows.sort(key=lambda r: (r["forecast"].resolves, r["id"]))
    return forecasts


def _claim_link(site: Site, cid: str) -> dict[str, str]:
    """Return what the timeline shows of a claim: its statement and page, not its standing."""
    # Reading a claim's standing would render the year again whenever any of its claims' did.
    return {"id": cid, "text": site.kb.claims[cid].text, "href": Paths.claim(cid)}


def _source_row(site: Site, sid: str) -> dict[str, str]:
    """Return what the timeline shows of a source: its date, title and label, and its page."""
    src = site.kb.sources[sid]
    label = site.source_label(sid)
    return {
        "id": sid,
        "title": src.title,
        "date": src.date or "",
        "label": label,
        "href": Paths.source(sid),
    }


def _undated(site: Site) -> list[dict[str, Any]]:
    """Return the sources without a date."""
    return [_source_row(site, s) for s in site.timeline_years.get("", {}).get("sources", [])]


def _claim_rows(site: Site, ids: list[str]) -> list[dict[str, str]]:
    """Return the timeline's rows of claims: each one's statement, page and first date."""
    return [{**_claim_link(site, c), "date": site.claim_dates[c]} for c in ids]


def _by_year(site: Site, shown: list[str], year: str | None) -> dict[str, Any]:
    """Return the sources and claims of the years shown, by year."""
    years = site.timeline_years
    return {
        "years": [],
        "sources_by_year": [
            (y, [_source_row(site, s) for s in years[y]["sources"]])
            for y in shown
            if y and years[y]["sources"]
        ],
        "undated": _undated(site) if year is None else [],
        "claims_by_year": [
            (y, _claim_rows(site, years[y]["claims"]))
            for y in sorted(shown, reverse=True)
            if y and years[y]["claims"]
        ],
    }


def _span(dates: list[str]) -> str:
    """Return the dates a part's rows run between, earliest first ('' for none)."""
    dates = sorted(d for d in dates if d)
    if not dates:
        return ""
    return dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"


def _parts_table(site: Site, year: str) -> list[dict[str, Any]]:
    """Return a split year's parts: each one's page, and how many sources and claims it lists."""
    return [
        {
            "number": number,
            "href": Paths.timeline_part(year, number),
            "sources": len(part["sources"]),
            "source_dates": _span([site.kb.sources[s].date or "" for s in part["sources"]]),
            "claims": len(part["claims"]),
            "claim_dates": _span([site.claim_dates[c] for c in part["claims"]]),
        }
        for number, part in enumerate(site.timeline_parts[year], start=1)
    ]


def _context(site: Site, year: str | None, **given: Any) -> dict[str, Any]:
    """Return a timeline page's context: what `given` says, and nothing of the rest."""
    empty: dict[str, Any] = {
        "chart": Markup(""),
        "nav": [],
        "part": None,
        "parts": [],
        "years": [],
        "undated": [],
        "forecasts": {},
        "sources_by_year": [],
        "claims_by_year": [],
    }
    return {**empty, "reference_date": site.reference_date, "year": year, **given}


def timeline_context(site: Site, year: str | None = None) -> dict[str, Any]:
    """Return sources and claims by date and forecasts by resolution, for all years or one."""
    # Every year's, one year's, or (for a long timeline) the years with their counts.
    years = site.timeline_years
    # A year's page leaves out the chart of every year: it would read every year's sources.
    chart = (
        maps.year_chart({y: len(v["sources"]) for y, v in years.items() if y and v["sources"]})
        if year is None
        else Markup("")
    )
    nav = [(y, Paths.timeline_year(y)) for y in years if y] if site.timeline_split else []
    if site.timeline_split and year is None:
        counts = [
            {"year": y, "href": Paths.timeline_year(y), **{k: len(v[k]) for k in v}}
            for y, v in years.items()
            if y
        ]
        return _context(site, year, chart=chart, nav=nav, years=counts, undated=_undated(site))
    shown = [year] if year is not None else list(years)
    forecasts = _forecasts(site, shown)
    if year is not None and year in site.timeline_parts:  # its rows are on its parts' pages
        return _context(site, year, nav=nav, parts=_parts_table(site, year), forecasts=forecasts)
    rows = _by_year(site, shown, year)
    return _context(site, year, chart=chart, nav=nav, forecasts=forecasts, **rows)


def timeline_year_page(site: Site, year: str) -> str:
    """Render one year of a long timeline."""
    path = Paths.timeline_year(year)
    return site.render(
        "timeline.html", path, title=f"Timeline: {year}", **timeline_context(site, year)
    )


def timeline_part_page(site: Site, year: str, number: int) -> str:
    """Render one part of a year too long for one page: its share of sources and claims."""
    path = Paths.timeline_part(year, number)
    part = site.timeline_parts[year][number - 1]
    count = len(site.timeline_parts[year])
    sources = [_source_row(site, s) for s in part["sources"]]
    claims = _claim_rows(site, part["claims"])
    context = _context(
        site,
        year,
        part={
            "number": number,
            "of": count,
            "year_href": Paths.timeline_year(year),
            "hrefs": [(n, Paths.timeline_part(year, n)) for n in range(1, count + 1)],
        },
        sources_by_year=[(year, sources)] if sources else [],
        claims_by_year=[(year, claims)] if claims else [],
    )
    title = f"Timeline: {year}, part {number} of {count}"
    return site.render("timeline.html", path, title=title, **context)


def timeline_pages(site: Site) -> Iterator[Page]:
    """Yield the timeline."""
    yield single_page(site, "timeline.html", "Timeline", timeline_context)


def timeline_year_pages(site: Site) -> Iterator[Page]:
    """Yield a page per year of a long timeline, and the parts of a year too long for one."""
    if site.timeline_split:
        for year in sorted(y for y in site.timeline_years if y):
            yield record_page(site, Paths.timeline_year(year), timeline_year_page, year)
            for number in range(1, len(site.timeline_parts.get(year, [])) + 1):
                path = Paths.timeline_part(year, number)
                yield Page(path, functools.partial(timeline_part_page, site, year, number))


TIMELINE = PageFamily("timeline", "The timeline of sources, claims and forecasts.", timeline_pages)
TIMELINE_YEARS = PageFamily(
    "timeline-years",
    "A long timeline's pages: one per year, and the parts of a year too long for one.",
    timeline_year_pages,
)
