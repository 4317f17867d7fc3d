"""Suite-wide settings: the warehouse builds in the tests fit the trajectory model with few
random starts (the main job uses var trajectory_starts, 50)."""

import os

os.environ.setdefault("BLSU_TRAJECTORY_STARTS", "5")
