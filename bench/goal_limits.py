# SPDX-License-Identifier: GPL-3.0-or-later
"""How the benchmark tables judge a ratio against a goal's limit, and print
it so that the verdict and the figure beside it never disagree. Shared by
bench/tabulate-real-traces.py and bench/lua_host/tabulate.py."""

# A ratio that equals a limit in decimal (10.3 / 10.0 = 1.03) may land a
# hair above it in binary; the goals count it as met.
SLACK = 1e-9


def beyond(ratio, limit):
    """Whether ratio exceeds limit by more than the binary's rounding."""
    return ratio > limit * (1 + SLACK)


def figure(value, limit, digits=2):
    """value with `digits` decimals, or more when those would round a value
    beyond limit down to it (1.034 is not "1.03", within 3 %)."""
    text = f"{value:.{digits}f}"
    while beyond(value, limit) and float(text) <= limit and digits < 9:
        digits += 1
        text = f"{value:.{digits}f}"
    return text
