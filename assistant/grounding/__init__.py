"""Is a sentence supported by the passages it cites? The checker and the signals it combines.

- `checker`: the verdict (`GroundingChecker.check` -> `Support`).
- `alignment`: which source sentences a claim restates (the region support is judged against).
- `facts`: numbers, dates and names a claim asserts, compared with the region's.
- `negation`: what a clause denies.
- `agreement`: fact, negation and opening-word disagreements, as reasons a user can read.
"""

from assistant.grounding.checker import ClaimCheck, GroundingChecker, Support

__all__ = ["ClaimCheck", "GroundingChecker", "Support"]
