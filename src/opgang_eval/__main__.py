"""``python -m opgang_eval`` runs the command line."""

import sys

from opgang_eval.cli import main

sys.exit(main())
