"""`python -m blsu_synth`."""

import sys

from blsu_synth.cli import main

sys.exit(main())
