"""Shared fixtures; tests import helpers from this folder (calibration.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
