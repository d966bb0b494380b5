"""Loaded by pytest for this project (pyproject.toml: addopts ``-p riskoff.pytest_plugin``),
whatever paths it is given: nbval's kernels, started from the pytest process, inherit this
and draw what the committed notebooks hold (the book's HTML charts, not live-kernel
widgets; see riskoff.widgets.live)."""
import os

os.environ["RISKOFF_OUTPUT"] = "book"
