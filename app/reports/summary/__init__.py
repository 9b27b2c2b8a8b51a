"""The district's annual work summary (年度工作总结): a report kind built as an A4 PDF
in Chinese with charts, from the year's visits, requests, points and publications
(README.md beside this file)."""

from __future__ import annotations

from app.reports.summary.build import build_annual_summary

__all__ = ["build_annual_summary"]
