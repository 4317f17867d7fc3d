"""`python -m python_stats`."""

import sys

from python_stats.cli import main

sys.exit(main())
