"""Demo territory: the real tree plus generated mahallas in proportion to population."""

from core.demo import DemoContext
from mahalla.models import Territory
from mahalla.services import mahallas_generate, territories_load, territory_counts_refresh

NATIONAL_MAHALLAS = 9_500
# Known per-region counts override the proportional share (regions_reference.csv).
KNOWN_REGION_MAHALLAS = {"1726": 585}
SCALE_FACTORS = {"tiny": 0.0, "small": 0.1, "national": 1.0}

MAHALLA_NAMES = [
    "Navbahor",
    "Bogʻishamol",
    "Yangiobod",
    "Doʻstlik",
    "Tinchlik",
    "Mustaqillik",
    "Guliston",
    "Bahor",
    "Obod",
    "Istiqlol",
    "Navroʻz",
    "Oqtepa",
    "Chinor",
    "Nurafshon",
    "Ziyokor",
    "Bunyodkor",
    "Koʻkcha",
    "Sharq",
    "Yoshlik",
    "Mehnat",
    "Hamkor",
    "Ittifoq",
    "Birlik",
    "Oydin",
    "Gulzor",
    "Sohil",
    "Bogʻbon",
    "Qoʻrgʻoncha",
    "Olmazor",
    "Yangihayot",
    "Nihol",
    "Tongotar",
    "Qahramon",
    "Mevazor",
    "Uzumzor",
    "Bodomzor",
    "Zarafshon",
    "Ilgʻor",
    "Farovon",
    "Saodat",
    "Ibrat",
    "Maʼrifat",
    "Mingoʻrik",
    "Toshkoʻprik",
    "Qoraqamish",
    "Beshyogʻoch",
    "Yakkasaroy",
    "Chilonzor",
    "Shodlik",
    "Baxt",
    "Orzu",
    "Umid",
    "Oltin vodiy",
    "Kamolot",
    "Taraqqiyot",
    "Yangi hayot",
    "Soʻgʻdiyona",
    "Afrosiyob",
    "Navoiy",
    "Bobur",
]


def seed(ctx: DemoContext) -> None:
    result = territories_load()
    ctx.log(f"Territories: {result}.")
    factor = SCALE_FACTORS[ctx.scale]
    regions = list(Territory.objects.filter(kind=Territory.Kind.REGION).order_by("code"))
    total_population = sum(r.population or 0 for r in regions)
    known = sum(KNOWN_REGION_MAHALLAS.values())
    known_population = sum(r.population or 0 for r in regions if r.code in KNOWN_REGION_MAHALLAS)
    districts = Territory.objects.filter(kind=Territory.Kind.DISTRICT).order_by("code")
    by_region: dict[int, list[Territory]] = {}
    for district in districts:
        by_region.setdefault(district.parent_id, []).append(district)
    created = 0
    for region in regions:
        region_mahallas = KNOWN_REGION_MAHALLAS.get(region.code) or round(
            (NATIONAL_MAHALLAS - known)
            * (region.population or 0)
            / (total_population - known_population)
        )
        region_districts = by_region.get(region.pk, [])
        weights = [ctx.rng.uniform(0.6, 1.4) for _ in region_districts]
        for district, weight in zip(region_districts, weights, strict=True):
            share = weight / sum(weights)
            count = max(1, round(max(1, round(region_mahallas * share)) * factor))
            names = _names(ctx, count)
            # The district's share of the region's real population, split among however many
            # mahallas this scale generates, so district and region totals stay plausible.
            district_population = (region.population or 0) * share
            sizes = [ctx.rng.uniform(0.5, 1.5) for _ in names]
            populations = [round(district_population * size / sum(sizes)) for size in sizes]
            created += mahallas_generate(district=district, names=names, populations=populations)
    territory_counts_refresh()
    ctx.log(f"Generated mahallas: {created} new.")


def _names(ctx: DemoContext, count: int) -> list[str]:
    """`count` distinct names: the common ones shuffled, then numbered repeats."""
    pool = MAHALLA_NAMES[:]
    ctx.rng.shuffle(pool)
    return [
        pool[i % len(pool)] + ("" if i < len(pool) else f"-{i // len(pool) + 1}")
        for i in range(count)
    ]
