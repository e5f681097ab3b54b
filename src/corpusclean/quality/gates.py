"""Quality gates: thresholds a run's report must meet, or the run is failed and its data quarantined."""

from __future__ import annotations

from typing import Any

from corpusclean.config import Gates


def evaluate(report: dict[str, Any], gates: Gates) -> list[str]:
    """The gates this report breaks, each as a sentence for people; empty when it passes."""
    failures = []
    counts = report["counts"]
    pages = counts["pages"]
    if gates.max_reject_rate is not None and pages:
        rate = sum(counts["rejects"].values()) / pages
        if rate > gates.max_reject_rate:
            failures.append(f"reject rate {rate:.1%} is over the gate of {gates.max_reject_rate:.1%}")
    if gates.max_duplicate_rate is not None and pages:
        rate = sum(counts["duplicates"].values()) / pages
        if rate > gates.max_duplicate_rate:
            failures.append(f"duplicate rate {rate:.1%} is over the gate of {gates.max_duplicate_rate:.1%}")
    if gates.min_kept is not None and counts["kept"] < gates.min_kept:
        failures.append(f"{counts['kept']} articles kept, under the gate of {gates.min_kept}")
    median = report["word_count"]["quantiles"].get("median")
    if gates.min_median_words is not None and counts["kept"] and (median or 0) < gates.min_median_words:
        failures.append(f"median body of {median} words is under the gate of {gates.min_median_words}")
    dates = report["field_completeness"].get("published", 0.0)
    if gates.min_date_completeness is not None and counts["kept"] and dates < gates.min_date_completeness:
        failures.append(
            f"published date known for {dates:.0%} of articles, under the gate of {gates.min_date_completeness:.0%}"
        )
    return failures
