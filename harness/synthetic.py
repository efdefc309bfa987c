"""Synthetic but realistic people for simulations: deterministic for a seed.

Names are drawn from common Norwegian first names (by gender) and surnames, parties from the
parties in Norwegian municipal councils, with a gender mix near the councils' (about 41 % women
after the 2023 local elections, SSB). E-mail addresses use the reserved `.invalid` top-level
domain, so a simulated notice can never reach a real person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from domain.gender import Gender
from models.payloads import PersonIn

FEMALE = ("Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Hilde",
          "Nina", "Randi", "Solveig", "Silje", "Ida", "Marte", "Kristin", "Tone", "Heidi",
          "Camilla")  # fmt: skip
MALE = ("Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Hans", "Geir",
        "Tor", "Morten", "Terje", "Odd", "Erik", "Anders", "Rune", "Trond", "Jon")  # fmt: skip
SURNAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
            "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg",
            "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen",
            "Halvorsen", "Henriksen", "Lund", "Sørensen", "Moen", "Iversen", "Strand")  # fmt: skip
PARTIES = (("Ap", 22), ("H", 26), ("Sp", 14), ("FrP", 11), ("SV", 6), ("KrF", 4), ("V", 4),
           ("R", 4), ("MDG", 3), ("Lokal", 6))  # fmt: skip
WOMEN_SHARE = 0.41


@dataclass
class PeopleFactory:
    """Makes people with unique ids `p-<seed>-<n>`; the same seed gives the same people."""

    seed: int
    rng: random.Random = field(init=False)
    made: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def person(self, member_number: str, gender: Gender | None = None) -> PersonIn:
        """One person from `member_number`'s council; gender drawn unless given."""
        self.made += 1
        if gender is None:
            gender = Gender.FEMALE if self.rng.random() < WOMEN_SHARE else Gender.MALE
        first = self.rng.choice(FEMALE if gender == Gender.FEMALE else MALE)
        person_id = f"p-{self.seed}-{self.made}"
        return PersonIn(
            person_id=person_id,
            name=f"{first} {self.rng.choice(SURNAMES)}",
            gender=gender,
            email=f"{person_id}@{member_number}.kommune.invalid",
            party=self.party(),
            member_number=member_number,
        )

    def party(self) -> str:
        names = [name for name, _ in PARTIES]
        weights = [weight for _, weight in PARTIES]
        return self.rng.choices(names, weights=weights)[0]

    def balanced(self, member_number: str, count: int) -> Iterator[PersonIn]:
        """`count` people alternating genders from a random start: balanced for any § 7-6 size."""
        first = Gender.FEMALE if self.rng.random() < 0.5 else Gender.MALE
        other = Gender.MALE if first == Gender.FEMALE else Gender.FEMALE
        for n in range(count):
            yield self.person(member_number, first if n % 2 == 0 else other)
