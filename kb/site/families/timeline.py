"""The timeline: sources and claims by year, forecasts by when they resolve."""
# A long timeline gets a page per year.

from __future__ import annotations

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


def _undated(site: Site) -> list[dict[str, Any]]:
    """Return the sources without a date."""
    return [site._source_listing(s) for s in site.timeline_years.get("", {}).get("sources", [])]


def _by_year(site: Site, shown: list[str], year: str | None) -> dict[str, Any]:
    """Return the sources and claims of the years shown, by year."""
    years = site.timeline_years
    return {
        "years": [],
        "sources_by_year": [
            (y, [site._source_listing(s) for s in years[y]["sources"]])
            for y in shown
            if y and years[y]["sources"]
        ],
        "undated": _undated(site) if year is None else [],
        "claims_by_year": [
            (y, [{**_claim_link(site, c), "date": site.claim_dates[c]} for c in years[y]["claims"]])
            for y in sorted(shown, reverse=True)
            if y and years[y]["claims"]
        ],
    }


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
    base = {"reference_date": site.reference_date, "chart": chart, "year": year, "nav": nav}
    if site.timeline_split and year is None:
        counts = [
            {"year": y, "href": Paths.timeline_year(y), **{k: len(v[k]) for k in v}}
            for y, v in years.items()
            if y
        ]
        return {**base, "years": counts, "undated": _undated(site)}
    shown = [year] if year is not None else list(years)
    forecasts = _forecasts(site, shown)
    return {**base, **_by_year(site, shown, year), "forecasts": forecasts}


def timeline_year_page(site: Site, year: str) -> str:
    """Render one year of a long timeline."""
    path = Paths.timeline_year(year)
    return site.render(
        "timeline.html", path, title=f"Timeline: {year}", **timeline_context(site, year)
    )


def timeline_pages(site: Site) -> Iterator[Page]:
    """Yield the timeline."""
    yield single_page(site, "timeline.html", "Timeline", timeline_context)


def timeline_year_pages(site: Site) -> Iterator[Page]:
    """Yield a page per year of a long timeline."""
    if site.timeline_split:
        for year in sorted(y for y in site.timeline_years if y):
            yield record_page(site, Paths.timeline_year(year), timeline_year_page, year)


TIMELINE = PageFamily("timeline", "The timeline of sources, claims and forecasts.", timeline_pages)
TIMELINE_YEARS = PageFamily(
    "timeline-years", "A long timeline's pages, one per year.", timeline_year_pages
)
