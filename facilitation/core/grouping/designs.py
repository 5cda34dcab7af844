"""Resolvable designs: rounds of equal tables in which no two people ever sit together twice,
built from finite geometry; and what is known about the fewest repeats possible.

- n = q^m people at tables of q (q a prime power): the points of the affine space GF(q)^m, one
  round per direction (a 1-dimensional subspace), its tables the lines of that direction. Two
  directions share only the zero vector, so two people share at most one line: no repeats for
  up to (q^m - 1) / (q - 1) rounds, the most any schedule can have (the affine plane when m = 2).
- n = p^m people at tables of p^d (p prime, d > 1, when the first case does not apply): the
  cosets of d-dimensional subspaces of GF(p)^m meeting only in zero (a partial spread, found by
  a bounded depth-first search), e.g. 9 rounds of 32 people at tables of 4.
- n = 2^m - 1 people at tables of 3: the lines of the projective space PG(m - 1, 2), grouped into
  spreads (a packing, found by the same kind of search), e.g. Kirkman's 15 schoolgirls.
- Schedules none of these reach, kept as published data (`golfer_solutions`): 10 rounds of 32
  people at tables of 4, the social golfer problem 8-4-10, one round more than the spreads.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import product

from facilitation.core.grouping.golfer_solutions import KNOWN_SCHEDULES

Tables = list[list[int]]


# --- finite fields -----------------------------------------------------------------------------


def prime_power(q: int) -> tuple[int, int] | None:
    """(p, k) with q = p^k and p prime, or None."""
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    k, rest = 0, q
    while rest % p == 0:
        rest //= p
        k += 1
    return (p, k) if rest == 1 else None


class Field:
    """GF(p^k): elements are 0..q-1, read as polynomials over GF(p) by their base-p digits;
    products are reduced by the first monic polynomial of degree k that makes every non-zero
    element invertible (an irreducible one)."""

    def __init__(self, p: int, k: int) -> None:
        self.p, self.k, self.q = p, k, p**k
        self.add = [[self._add(a, b) for b in range(self.q)] for a in range(self.q)]
        for low in range(p**k):
            modulus = [*self._digits(low), 1]  # monic, degree k
            table = [[self._mul(a, b, modulus) for b in range(self.q)] for a in range(self.q)]
            if all(1 in table[a] for a in range(1, self.q)):
                self.mul = table
                return
        raise ValueError(
            f"no irreducible polynomial of degree {k} over GF({p})"
        )  # pragma: no cover

    def _digits(self, a: int) -> list[int]:
        return [(a // self.p**i) % self.p for i in range(self.k)]

    def _number(self, digits: list[int]) -> int:
        return sum(d * self.p**i for i, d in enumerate(digits))

    def _add(self, a: int, b: int) -> int:
        return self._number(
            [(x + y) % self.p for x, y in zip(self._digits(a), self._digits(b), strict=True)]
        )

    def _mul(self, a: int, b: int, modulus: list[int]) -> int:
        product_ = [0] * (2 * self.k - 1)
        for i, x in enumerate(self._digits(a)):
            for j, y in enumerate(self._digits(b)):
                product_[i + j] = (product_[i + j] + x * y) % self.p
        for top in range(len(product_) - 1, self.k - 1, -1):
            factor = product_[top]
            if factor:
                for i, c in enumerate(modulus):
                    product_[top - self.k + i] = (product_[top - self.k + i] - factor * c) % self.p
        return self._number(product_[: self.k])


# --- constructions -----------------------------------------------------------------------------


def _power_of(n: int, base: int) -> int | None:
    m, rest = 0, n
    while rest > 1 and rest % base == 0:
        rest //= base
        m += 1
    return m if rest == 1 and m > 0 else None


def _vectors(q: int, m: int) -> list[tuple[int, ...]]:
    return list(product(range(q), repeat=m))


def _index(vector: tuple[int, ...], q: int) -> int:
    return sum(x * q**i for i, x in enumerate(vector))


def _affine_lines(q: int, m: int, rounds: int) -> list[Tables]:
    """Rounds of lines of GF(q)^m, one direction a round (see the module docstring)."""
    pk = prime_power(q)
    assert pk is not None
    field = Field(*pk)
    add, mul = field.add, field.mul
    points = _vectors(q, m)
    # one direction per 1-dimensional subspace: vectors whose first non-zero coordinate is 1
    directions = [v for v in points if any(v) and v[next(i for i, x in enumerate(v) if x)] == 1]
    out: list[Tables] = []
    for direction in directions[:rounds]:
        seen: set[int] = set()
        tables: Tables = []
        for start in points:
            if _index(start, q) in seen:
                continue
            line = [
                _index(tuple(add[s][mul[t][d]] for s, d in zip(start, direction, strict=True)), q)
                for t in range(q)
            ]
            seen.update(line)
            tables.append(sorted(line))
        out.append(tables)
    return out


def _subspaces(p: int, m: int, d: int, rng: random.Random) -> list[frozenset[int]]:
    """The d-dimensional subspaces of GF(p)^m as sets of vector indices (p prime: addition and
    multiples are taken modulo p), in a seeded order."""
    points = _vectors(p, m)
    seen: set[frozenset[int]] = set()
    for basis in product(points[1:], repeat=d):
        span = {
            _index(
                tuple(
                    sum(c * b[i] for c, b in zip(coeffs, basis, strict=True)) % p for i in range(m)
                ),
                p,
            )
            for coeffs in product(range(p), repeat=d)
        }
        if len(span) == p**d:
            seen.add(frozenset(span))
    found = sorted(sorted(s) for s in seen)
    rng.shuffle(found)
    return [frozenset(s) for s in found]


def _disjoint(
    candidates: list[frozenset[int]], wanted: int, cover: int, budget: int
) -> list[frozenset[int]]:
    """Up to `wanted` candidates pairwise meeting only in the element 0 (or, with cover=0, not
    at all), by depth-first search within `budget` steps; the largest set found."""
    best: list[frozenset[int]] = []
    chosen: list[frozenset[int]] = []
    used: set[int] = set()
    steps = 0

    def search(start: int) -> bool:
        nonlocal best, steps
        if len(chosen) > len(best):
            best = list(chosen)
        if len(chosen) == wanted:
            return True
        for i in range(start, len(candidates)):
            steps += 1
            if steps > budget:
                return True
            own = candidates[i] - {0} if cover else candidates[i]
            if own & used:
                continue
            chosen.append(candidates[i])
            used.update(own)
            if search(i + 1):
                return True
            chosen.pop()
            used.difference_update(own)
        return False

    search(0)
    return best


def _spread_cosets(p: int, m: int, d: int, rounds: int, rng: random.Random) -> list[Tables]:
    subspaces = _disjoint(_subspaces(p, m, d, rng), rounds, cover=1, budget=200_000)
    points = range(p**m)
    out: list[Tables] = []
    for space in subspaces:
        seen: set[int] = set()
        tables: Tables = []
        for start in points:
            if start in seen:
                continue
            s = _vector_of(start, p, m)
            coset = sorted(
                _index(tuple((x + y) % p for x, y in zip(s, _vector_of(v, p, m), strict=True)), p)
                for v in space
            )
            seen.update(coset)
            tables.append(coset)
        out.append(tables)
    return out


def _vector_of(index: int, q: int, m: int) -> tuple[int, ...]:
    return tuple((index // q**i) % q for i in range(m))


def _exact_covers(
    candidates: list[frozenset[int]], elements: frozenset[int], wanted: int
) -> list[list[frozenset[int]]]:
    """Up to `wanted` sets of candidates covering every element exactly once, by depth-first
    search taking the lowest element not yet covered (Knuth's algorithm X without its links)."""
    found: list[list[frozenset[int]]] = []
    chosen: list[frozenset[int]] = []
    having: dict[int, list[frozenset[int]]] = {e: [] for e in elements}
    for c in candidates:
        for e in c:
            having[e].append(c)

    def search(left: frozenset[int]) -> bool:
        if not left:
            found.append(list(chosen))
            return len(found) >= wanted
        for c in having[min(left)]:
            if c <= left:
                chosen.append(c)
                if search(left - c):
                    return True
                chosen.pop()
        return False

    search(elements)
    return found


def _projective_packing(m: int, rounds: int, rng: random.Random) -> list[Tables]:
    """A packing of PG(m - 1, 2): its points are the non-zero vectors of GF(2)^m, a line is
    {a, b, a XOR b}; a spread is lines covering every point once, a packing spreads covering
    every line once; each spread is a round."""
    points = frozenset(range(1, 2**m))
    lines = sorted({tuple(sorted((a, b, a ^ b))) for a in points for b in points if a < b})
    rng.shuffle(lines)
    line_sets = [frozenset(line) for line in lines]
    spreads = _exact_covers(line_sets, points, wanted=10_000)
    ids = {line: i for i, line in enumerate(line_sets)}
    as_ids = [frozenset(ids[line] for line in spread) for spread in spreads]
    packings = _exact_covers(as_ids, frozenset(range(len(line_sets))), wanted=1)
    if not packings:
        return []  # pragma: no cover - PG(3, 2) has packings
    return [
        [sorted(x - 1 for x in line_sets[i]) for i in sorted(spread)]
        for spread in packings[0][:rounds]
    ]


def design_rounds(n: int, size: int, rounds: int, rng: random.Random) -> list[Tables]:
    """Rounds with no repeat for n people at tables of `size` (people 0..n-1), as many of the
    `rounds` asked as a construction gives (possibly none)."""
    if size < 2 or rounds < 1 or n % size:
        return []
    kept = KNOWN_SCHEDULES.get((n, size))
    if kept is not None:
        return [[list(table) for table in tables] for tables in kept[:rounds]]
    m = _power_of(n, size)
    if m is not None and prime_power(size) is not None:
        return _affine_lines(size, m, rounds)
    pk = prime_power(size)
    if pk is not None and pk[1] > 1:
        m = _power_of(n, pk[0])
        # enumerating the subspaces costs about n^d steps: only where that stays small
        if m is not None and n ** pk[1] <= 100_000:
            return _spread_cosets(pk[0], m, pk[1], rounds, rng)
    if size == 3:
        m = _power_of(n + 1, 2)
        if m is not None and m % 2 == 0 and m <= 4:
            return _projective_packing(m, rounds, rng)
    return []


# --- bounds ------------------------------------------------------------------------------------


def repeats_lower_bound(n: int, sizes: Sequence[int], rounds: int, *, hosts: int = 0) -> int:
    """Fewest repeat encounters any schedule of `rounds` rounds of tables of `sizes` can have.
    Each person meets at most n - 1 others; meetings beyond that are repeats, each counted by
    both people in it. With tables of unequal sizes, only the pairs as a whole are counted:
    meetings beyond C(n, 2). With `hosts` (one per table, staying put), host-traveller and
    traveller-traveller pairs are counted apart: a traveller meets a host every round, and
    there are only `hosts` of them."""
    if rounds < 2 or n < 2:
        return 0

    def beyond(people: int, seats: Sequence[int]) -> int:
        """Repeats forced among `people` seated `seats` a table each round."""
        bound = max(0, rounds * sum(s * (s - 1) // 2 for s in seats) - people * (people - 1) // 2)
        if len(set(seats)) == 1:
            over = people * max(0, rounds * (seats[0] - 1) - (people - 1))
            bound = max(bound, -(-over // 2))
        return bound

    if not hosts:
        return beyond(n, sizes)
    travellers = n - hosts
    return max(0, (rounds - hosts) * travellers) + beyond(travellers, [s - 1 for s in sizes])


def best_known_repeats(n: int, size: int, rounds: int) -> int | None:
    """The fewest repeats known to be reachable at equal tables of `size` (None: not known).
    Zero wherever a resolvable design with enough rounds is known to exist: the affine spaces
    above; Kirkman triple systems for every n = 3 (mod 6) (Ray-Chaudhuri & Wilson, 1971);
    resolvable designs with blocks of 4 for every n = 4 (mod 12) (Hanani, Ray-Chaudhuri &
    Wilson, 1972); round-robin pairs; two rounds whenever there are at least `size` tables
    (the second round takes one person of each first-round table); and the schedules kept in
    `golfer_solutions`, e.g. the social golfer problem's 32 people at 8 tables of 4 for 10 rounds
    (solved: Aguado, 2004)."""
    if size < 2 or n % size or rounds < 1:
        return None
    tables = n // size
    most = (n - 1) // (size - 1)  # rounds with no repeat any schedule can have
    if rounds == 1 or (rounds == 2 and tables >= size):
        return 0
    if rounds > most:
        return None
    m = _power_of(n, size)
    known = (
        size == 2
        or (m is not None and prime_power(size) is not None)
        or (size == 3 and n % 6 == 3)
        or (size == 4 and n % 12 == 4)
        or rounds <= len(KNOWN_SCHEDULES.get((n, size), ()))
    )
    return 0 if known else None
