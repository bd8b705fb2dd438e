"""The self-contained HTML journey report (``cojourney report``)."""
