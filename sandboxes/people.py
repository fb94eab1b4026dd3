"""Deterministic, realistic people for seeding the sandboxes.

Benchmarks and tests need tens of thousands of users and contacts that look real (so mapping, search
and dedupe meet realistic data), that are the same on every run (so failures reproduce), and that are
cheap (100,000 in well under a second or two). Person ``i`` is a pure function of ``(seed, i)``: asking
for ``people(10, start=500)`` gives exactly items 500..509 of ``people(510)``.

Uniqueness without remembering what was generated: the ``i``-th person's (first, last) name pair is a
seeded permutation of all pairs, so the first ``len(FIRST_NAMES) * len(LAST_NAMES)`` people have
distinct pairs; later rounds reuse pairs with a number (``ana.silva2@...``). Phone numbers and employee
numbers are unique too (the Contacts sandbox matches duplicates on email *and* phone).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

_FIRST = """
Aaliyah Aaron Abigail Adam Adrian Aisha Alan Albert Alejandro Alexander Alexis Alice Alicia Alison Amanda
Amber Amelia Amir Amy Ana Andre Andrea Andrew Angela Anita Ann Anthony Antonio Arjun Arthur Ashley Aubrey
Audrey Austin Ava Barbara Beatriz Benjamin Bernard Beth Betty Bianca Blake Brandon Brenda Brian Brianna
Brittany Bruce Bryan Caleb Camila Carl Carlos Carmen Carol Caroline Carter Catherine Cecilia Charles
Charlotte Chelsea Chen Chloe Christian Christina Christopher Claire Clara Colin Connor Craig Cristina
Crystal Cynthia Daniel Daniela Danielle David Deborah Denise Dennis Derek Diana Diego Dmitri Dominic Donald
Donna Dorothy Douglas Dylan Edward Elena Eli Elijah Elizabeth Ella Ellen Emily Emma Eric Erica Erin Ethan
Eva Evelyn Fatima Felix Fernando Fiona Frances Francisco Frank Gabriel Gabriela Gary George Gerald Gina
Grace Gregory Hailey Hannah Harold Harper Harry Hassan Heather Helen Henry Hiroshi Holly Hugo Ian Ibrahim
Isaac Isabella Ivan Jack Jacob Jacqueline Jake James Jamie Janet Janice Jasmine Jason Javier Jean Jeffrey
Jennifer Jeremy Jessica Joan Joel John Jonathan Jordan Jorge Jose Joseph Joshua Joyce Juan Judith Julia
Julian Julie Justin Karen Katherine Kathleen Kayla Keith Kelly Kenneth Kevin Kimberly Kyle Laura Lauren
Layla Leah Leo Leon Liam Lily Linda Lisa Logan Lucas Lucia Luis Luke Madison Maria Marie Marilyn Mark
Marta Martin Mary Mason Mateo Matthew Maya Megan Mei Melissa Mia Michael Michelle Miguel Mila Mohammed
Monica Nadia Nancy Naomi Natalie Nathan Nicholas Nicole Nina Noah Nora Oliver Olivia Omar Oscar Owen
Pablo Pamela Patricia Patrick Paul Paula Peter Philip Priya Rachel Rafael Rahul Ralph Raymond Rebecca
Riley Robert Roberto Robin Roger Ronald Rosa Ruby Russell Ruth Ryan Samantha Samuel Sandra Sara Sarah
Scott Sean Sebastian Sergei Sharon Shirley Sofia Sophia Stephanie Stephen Steven Susan Tanya Teresa
Terry Thomas Timothy Tyler Valentina Vanessa Victor Victoria Vincent Walter Wayne William Xavier Yara
Yusuf Zachary Zara Zoe
"""

_LAST = """
Abbott Acosta Adams Aguilar Ahmed Alexander Ali Allen Alvarez Anderson Andrews Armstrong Arnold Austin
Bailey Baker Banks Barnes Barrett Bates Bell Bennett Berry Bishop Black Boyd Bradley Brooks Brown Bryant
Burke Burns Butler Byrne Campbell Carlson Carpenter Carr Carroll Carter Castillo Castro Chan Chang Chavez
Chen Cho Clark Cohen Cole Coleman Collins Cook Cooper Cruz Cunningham Daniels Davidson Davis Dean Delgado
Diaz Dixon Douglas Duncan Dunn Edwards Elliott Ellis Evans Ferguson Fernandez Fischer Fisher Fleming
Flores Ford Foster Fox Francis Freeman Garcia Gardner Garza George Gibson Gilbert Gomez Gonzalez Gordon
Graham Grant Gray Green Greene Gupta Gutierrez Hall Hamilton Hansen Harper Harris Harrison Hart Hawkins
Hayes Henderson Henry Hernandez Herrera Hill Hoffman Holland Howard Hudson Hughes Hunt Hunter Ibrahim
Jackson James Jensen Jimenez Johnson Johnston Jones Jordan Kaur Keller Kelly Kennedy Khan Kim King Klein
Knight Kowalski Kumar Lambert Lane Larsen Lawrence Lawson Lee Lewis Li Lin Little Liu Long Lopez Lynch
Mason Martin Martinez Matthews Mcdonald Medina Mendez Mendoza Meyer Miller Mills Mitchell Molina Moore
Morales Moreno Morgan Morris Murphy Murray Myers Nakamura Nelson Nguyen Nichols Novak Olsen Olson Ortiz
Owens Palmer Park Parker Patel Patterson Payne Perez Perry Peters Peterson Phillips Pierce Porter Powell
Price Quinn Ramirez Ramos Reed Reyes Reynolds Rice Richards Richardson Rivera Roberts Robertson Robinson
Rodriguez Rogers Romero Rose Ross Ruiz Russell Ryan Sanchez Sanders Santos Schmidt Schneider Schultz
Scott Shah Shaw Silva Simmons Simpson Singh Smith Snyder Sousa Spencer Stanley Stephens Stevens Stewart
Stone Sullivan Suzuki Tanaka Taylor Thomas Thompson Torres Tran Tucker Turner Vargas Vasquez Wagner
Walker Wallace Walsh Wang Ward Warren Washington Watson Weaver Webb Weber Wells West Wheeler White
Williams Willis Wilson Wong Wood Woods Wright Wu Yamamoto Yang Young Zhang Zhao Zimmerman
"""

FIRST_NAMES: tuple[str, ...] = tuple(_FIRST.split())
LAST_NAMES: tuple[str, ...] = tuple(_LAST.split())

# city, state, ZIP prefix (first three digits), area codes
_PLACES: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("New York", "NY", "100", (212, 646, 917)),
    ("Brooklyn", "NY", "112", (718, 347)),
    ("Buffalo", "NY", "142", (716,)),
    ("Los Angeles", "CA", "900", (213, 310, 323)),
    ("San Francisco", "CA", "941", (415, 628)),
    ("San Diego", "CA", "921", (619, 858)),
    ("San Jose", "CA", "951", (408, 669)),
    ("Sacramento", "CA", "958", (916,)),
    ("Chicago", "IL", "606", (312, 773)),
    ("Houston", "TX", "770", (713, 281, 832)),
    ("Austin", "TX", "787", (512, 737)),
    ("Dallas", "TX", "752", (214, 469, 972)),
    ("San Antonio", "TX", "782", (210,)),
    ("Phoenix", "AZ", "850", (602, 480)),
    ("Tucson", "AZ", "857", (520,)),
    ("Philadelphia", "PA", "191", (215, 267)),
    ("Pittsburgh", "PA", "152", (412,)),
    ("Jacksonville", "FL", "322", (904,)),
    ("Miami", "FL", "331", (305, 786)),
    ("Tampa", "FL", "336", (813,)),
    ("Orlando", "FL", "328", (407,)),
    ("Columbus", "OH", "432", (614,)),
    ("Cleveland", "OH", "441", (216,)),
    ("Indianapolis", "IN", "462", (317,)),
    ("Charlotte", "NC", "282", (704, 980)),
    ("Raleigh", "NC", "276", (919,)),
    ("Seattle", "WA", "981", (206,)),
    ("Spokane", "WA", "992", (509,)),
    ("Denver", "CO", "802", (303, 720)),
    ("Boston", "MA", "021", (617, 857)),
    ("Nashville", "TN", "372", (615,)),
    ("Memphis", "TN", "381", (901,)),
    ("Detroit", "MI", "482", (313,)),
    ("Portland", "OR", "972", (503, 971)),
    ("Las Vegas", "NV", "891", (702,)),
    ("Baltimore", "MD", "212", (410, 443)),
    ("Milwaukee", "WI", "532", (414,)),
    ("Albuquerque", "NM", "871", (505,)),
    ("Atlanta", "GA", "303", (404, 678)),
    ("Minneapolis", "MN", "554", (612,)),
    ("Kansas City", "MO", "641", (816,)),
    ("St. Louis", "MO", "631", (314,)),
    ("Salt Lake City", "UT", "841", (801,)),
    ("New Orleans", "LA", "701", (504,)),
    ("Omaha", "NE", "681", (402,)),
    ("Richmond", "VA", "232", (804,)),
    ("Madison", "WI", "537", (608,)),
    ("Boise", "ID", "837", (208,)),
)

_STREET_NAMES = """
Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Spring North South Ridge Church
    Willow Meadow Sunset Highland Forest River Jackson Lincoln Franklin Adams Chestnut Birch Center Mill
    Prospect Union Valley Jefferson Madison Cherry Dogwood Hickory Laurel Magnolia Poplar Sycamore"""
_STREETS: tuple[str, ...] = tuple(_STREET_NAMES.split())
_STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way", "Pl", "Ter")

_DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Engineering", ("Software Engineer", "Senior Software Engineer", "Staff Engineer",
                     "Engineering Manager", "Site Reliability Engineer", "QA Engineer")),
    ("Sales", ("Account Executive", "Sales Development Representative", "Sales Manager",
               "Solutions Engineer", "Regional Sales Director")),
    ("Marketing", ("Marketing Manager", "Content Strategist", "Product Marketing Manager",
                   "Demand Generation Specialist", "Brand Designer")),
    ("Finance", ("Accountant", "Financial Analyst", "Controller", "Payroll Specialist")),
    ("Human Resources", ("HR Business Partner", "Recruiter", "People Operations Specialist",
                         "Talent Acquisition Manager")),
    ("Customer Success", ("Customer Success Manager", "Support Engineer", "Support Specialist",
                          "Onboarding Specialist")),
    ("Operations", ("Operations Manager", "Office Manager", "Facilities Coordinator",
                    "Procurement Specialist")),
    ("Product", ("Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher")),
    ("Legal", ("Corporate Counsel", "Paralegal", "Compliance Analyst")),
    ("IT", ("IT Administrator", "Systems Engineer", "Security Analyst", "Help Desk Technician")),
)

_COMPANIES: tuple[str, ...] = (
    "Acme Corporation", "Northwind Traders", "Blue Harbor Logistics", "Summit Analytics", "Brightline Health",
    "Cedar & Stone LLP", "Evergreen Foods", "Ironclad Security", "Lumen Energy", "Maple Leaf Realty",
    "Nimbus Software", "Orbit Aerospace", "Pioneer Outfitters", "Quartz Financial", "Redwood Media",
    "Silverline Retail", "Tidewater Marine", "Union Street Bakery", "Vantage Consulting", "Willow Dental",
    "Apex Robotics", "Beacon Insurance", "Coastal Property Group", "Driftwood Studios", "Everest Fitness",
)

_MASK64 = (1 << 64) - 1


def _mix(value: int) -> int:
    """SplitMix64 finaliser: a cheap, well-spread 64-bit hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def _coprime_step(modulus: int, seed_hash: int) -> int:
    """A multiplier coprime with ``modulus`` so ``i -> (i * step + offset) % modulus`` is a permutation."""
    step = (seed_hash % (modulus - 1)) + 1 if modulus > 1 else 1
    while math.gcd(step, modulus) != 1:
        step += 1
    return step


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass(frozen=True)
class Person:
    """One generated person; ``login`` equals ``email`` (the usual Okta set-up)."""

    first_name: str
    last_name: str
    email: str
    login: str
    phone: str
    title: str
    department: str
    city: str
    state: str
    country_code: str
    zip_code: str
    street_address: str
    employee_number: str
    company: str


_PHONE_SPACE = 800 * 10_000  # exchanges 200..999 times line numbers 0000..9999


def people(count: int, *, seed: int = 1, start: int = 0, domain: str = "example.com") -> Iterator[Person]:
    """Yield ``count`` people, items ``start`` .. ``start + count - 1`` of the sequence for ``seed``.

    Emails, logins, phones and employee numbers are unique within one seed and domain (phones for the
    first eight million people). Same arguments, same people.

    Raises:
        ValueError: ``count`` or ``start`` is negative.
    """
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    if start < 0:
        raise ValueError(f"start must be 0 or more, got {start}")
    seed_hash = _mix(seed * 0x2545F4914F6CDD1D)
    first_slugs = [_slug(n) for n in FIRST_NAMES]
    last_slugs = [_slug(n) for n in LAST_NAMES]
    n_last = len(LAST_NAMES)
    pairs = len(FIRST_NAMES) * n_last
    pair_step = _coprime_step(pairs, seed_hash)
    pair_offset = _mix(seed_hash) % pairs
    phone_step = _coprime_step(_PHONE_SPACE, _mix(seed_hash + 1))
    phone_offset = _mix(seed_hash + 2) % _PHONE_SPACE
    domain = domain.lower()

    for i in range(start, start + count):
        round_, position = divmod(i, pairs)
        pair = (position * pair_step + pair_offset) % pairs
        fi, li = divmod(pair, n_last)
        first, last = FIRST_NAMES[fi], LAST_NAMES[li]
        suffix = str(round_ + 1) if round_ else ""
        email = f"{first_slugs[fi]}.{last_slugs[li]}{suffix}@{domain}"

        h = _mix(seed_hash ^ (i * 0xD6E8FEB86659FD93 & _MASK64))
        city, state, zip_prefix, area_codes = _PLACES[h % len(_PLACES)]
        h //= len(_PLACES)
        area = area_codes[h % len(area_codes)]
        h //= len(area_codes)
        department, titles = _DEPARTMENTS[h % len(_DEPARTMENTS)]
        h //= len(_DEPARTMENTS)
        title = titles[h % len(titles)]
        h //= len(titles)
        company = _COMPANIES[h % len(_COMPANIES)]
        h //= len(_COMPANIES)
        house = 1 + h % 9899
        h //= 9899
        street = f"{house} {_STREETS[h % len(_STREETS)]} {_STREET_KINDS[(h // 64) % len(_STREET_KINDS)]}"
        h //= 64 * len(_STREET_KINDS)
        zip_code = f"{zip_prefix}{h % 100:02d}"

        local = ((i % _PHONE_SPACE) * phone_step + phone_offset) % _PHONE_SPACE
        exchange, line = divmod(local, 10_000)
        phone = f"+1{area}{200 + exchange}{line:04d}"

        yield Person(
            first_name=first,
            last_name=last,
            email=email,
            login=email,
            phone=phone,
            title=title,
            department=department,
            city=city,
            state=state,
            country_code="US",
            zip_code=zip_code,
            street_address=street,
            employee_number=f"{100000 + i}",
            company=company,
        )
