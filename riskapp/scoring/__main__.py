"""`python -m riskapp.scoring` (see riskapp.scoring.cli)."""

import sys

from riskapp.scoring.cli import main

sys.exit(main())
