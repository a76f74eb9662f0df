"""Numbers the benchmark's parts share."""

TARGETS = {"concurrent_calls": 100, "recorded_over_wall_min": 0.99, "asa_difference_s": 1.0}
CALLER_HZ, CONSULTANT_HZ = 600, 1000  # each side's own tone
