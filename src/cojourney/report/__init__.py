"""The self-contained HTML journey report (``cojourney report``).

One HTML file that opens offline: the sections (:mod:`cojourney.report.sections`, one
module each) turn plain analysis results into HTML and chart specs;
:func:`cojourney.report.page.render_report` puts them in one page with Apache ECharts
(vendored, inlined) and ``assets/report.js``. The data are collected by
:func:`cojourney.services.report.build_report`.
"""
