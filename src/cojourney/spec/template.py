"""The DSV workspace template that ``cojourney init`` copies: commented YAML files."""

from __future__ import annotations

from pathlib import Path

#: A folder of YAML files whose comments explain every field (it validates as is).
TEMPLATE_DIR = Path(__file__).with_name("template_files")
