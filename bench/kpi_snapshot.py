"""Every figure of the KPI engine as plain data, to compare two runs.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/kpi_snapshot.py --out before.json
    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/kpi_snapshot.py --compare before.json

Writes (--out) or compares with (--compare) compute_kpis, additional_figures
and caseload_per_pilot for the years given (default 2024–2026), nationally
and for the --units first units by id (default 3). Prints every difference
and exits 1 if there is one. Read-only. Used by bench/pad_visits.py, and to
check that a change to reports/kpis/ leaves every figure as it was.
"""

import argparse
import json
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "SECRET_KEY" not in os.environ:
    os.environ.setdefault("DEBUG", "1")


def _plain(value):
    return None if value is None else str(value)


def _figures(figures):
    return {figure.key: [_plain(figure.value), _plain(figure.previous)] for figure in figures}


def snapshot(years=(2024, 2025, 2026), units=3):
    """{scope/year: {kpi or section key: figures}} of the engine as it is."""
    from accounts.models import Unit
    from reports.kpis import additional_figures, caseload_per_pilot, compute_kpis

    scopes = [None, *Unit.objects.order_by("pk")[:units]]
    data = {}
    for unit in scopes:
        for year in years:
            entry = {}
            for kpi in compute_kpis(year, unit):
                entry[kpi.key] = {
                    "headline": [_plain(getattr(kpi, name)) for name in (
                        "value", "previous", "met", "numerator", "denominator",
                        "previous_numerator", "previous_denominator")],
                    **_figures(kpi.figures),
                }
            for section in additional_figures(year, unit):
                entry[section.key] = _figures(section.figures)
            entry["caseload"] = [list(row) for row in caseload_per_pilot(year, unit)]
            data[f"{'national' if unit is None else f'unit {unit.pk}'}/{year}"] = entry
    return data


def differences(before, after, path=""):
    """Lines describing every difference between two snapshots."""
    if isinstance(before, dict) and isinstance(after, dict):
        lines = []
        for key in sorted(set(before) | set(after)):
            lines += differences(before.get(key), after.get(key), f"{path}/{key}" if path else key)
        return lines
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out")
    parser.add_argument("--compare")
    parser.add_argument("--years", type=int, nargs="+", default=[2024, 2025, 2026])
    parser.add_argument("--units", type=int, default=3)
    args = parser.parse_args()
    if not (args.out or args.compare):
        parser.error("give --out or --compare")

    import django

    django.setup()
    data = json.loads(json.dumps(snapshot(args.years, args.units)))
    if args.out:
        Path(args.out).write_text(json.dumps(data, indent=1, ensure_ascii=False))
        print(f"wrote {len(data)} scope/years to {args.out}")
    if args.compare:
        lines = differences(json.loads(Path(args.compare).read_text()), data)
        print("\n".join(lines) if lines else f"identical: {len(data)} scope/years")
        sys.exit(1 if lines else 0)


if __name__ == "__main__":
    main()
