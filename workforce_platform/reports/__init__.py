"""Reports from the published layer: summaries, comparisons, plots, workbooks, an HTML page."""
