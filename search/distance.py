"""Edit distance for typo matching: Damerau–Levenshtein in its optimal string alignment form.

A letter added, dropped or replaced, or two neighbouring letters swapped ("refnud" for
"refund"), each count as one edit. Levenshtein automata (Whoosh's) count the swap as two, so
candidates they find are measured again here. In the optimal string alignment form a swapped
pair is not edited again ("ca" → "abc" is 3 edits, not 2), which is what typing produces.
"""


def damerau_distance(typed: str, candidate: str, limit: int | None = None) -> int:
    """The number of edits between typed and candidate (insertions, deletions, substitutions and
    swaps of two neighbouring letters).

    :param limit: stop early once the distance is sure to exceed it; then limit + 1 is returned.
    """
    if typed == candidate:
        return 0
    too_far = None if limit is None else limit + 1
    if too_far is not None and abs(len(typed) - len(candidate)) >= too_far:
        return too_far
    if not typed or not candidate:
        return len(typed) or len(candidate)
    before_previous: list[int] = []
    previous = list(range(len(candidate) + 1))
    for row, letter in enumerate(typed, start=1):
        current = [row] + [0] * len(candidate)
        for column, other in enumerate(candidate, start=1):
            cost = 0 if letter == other else 1
            best = min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + cost)
            if (row > 1 and column > 1 and letter == candidate[column - 2]
                    and typed[row - 2] == other):
                best = min(best, before_previous[column - 2] + 1)
            current[column] = best
        if too_far is not None and min(current) >= too_far:
            return too_far
        before_previous, previous = previous, current
    distance = previous[-1]
    return distance if too_far is None else min(distance, too_far)
