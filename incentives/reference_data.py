"""Default reference data of Cabinet Resolution No. 15 (DOMAIN.md §4). Admins edit it.

BCV values: 340,000 so'm from 1.10.2023 and 375,000 from 1.10.2024 (DOMAIN.md), 412,000 in
2025; the date it took effect is taken as 1.08.2025 and should be confirmed on lex.uz.
"""

from datetime import date

BCV = [(date(2023, 10, 1), 340_000), (date(2024, 10, 1), 375_000), (date(2025, 8, 1), 412_000)]

# (code, uz, uz-Cyrl, ru, en, has_gravity)
GROUNDS = [
    (
        "planned_crime",
        "Tayyorlanayotgan jinoyat haqida xabar berish",
        "Тайёрланаётган жиноят ҳақида хабар бериш",
        "Сообщение о готовящемся преступлении",
        "Reporting a planned crime",
        True,
    ),
    (
        "evidence",
        "Jinoyatni ochishga yordam beruvchi maʼlumot yoki dalil berish",
        "Жиноятни очишга ёрдам берувчи маълумот ёки далил бериш",
        "Сведения или доказательства, способствующие раскрытию преступления",
        "Information or evidence that helps solve a crime",
        True,
    ),
    (
        "hidden_items",
        "Yashirilgan jinoiy buyumlarni topshirish",
        "Яширилган жиноий буюмларни топшириш",
        "Передача сокрытых предметов преступления",
        "Handing over hidden criminal items",
        False,
    ),
    (
        "wanted_person",
        "Qidiruvdagi shaxs qayerdaligi haqida maʼlumot",
        "Қидирувдаги шахс қаердалиги ҳақида маълумот",
        "Сведения о местонахождении разыскиваемого лица",
        "The whereabouts of a wanted person",
        False,
    ),
    (
        "prevention",
        "Huquqbuzarliklar profilaktikasida faol ishtirok",
        "Ҳуқуқбузарликлар профилактикасида фаол иштирок",
        "Активное участие в профилактике правонарушений",
        "Active participation in prevention",
        False,
    ),
]

# (code, uz, uz-Cyrl, ru, en, is_cash)
TYPES = [
    ("cash", "Pul mukofoti", "Пул мукофоти", "Денежное вознаграждение", "Cash bonus", True),
    ("gift", "Qimmatbaho sovgʻa", "Қимматбаҳо совға", "Ценный подарок", "Valuable gift", False),
    (
        "gratitude",
        "Tashakkurnoma",
        "Ташаккурнома",
        "Благодарственное письмо",
        "Letter of gratitude",
        False,
    ),
    (
        "certificate",
        "Faxriy yorliq",
        "Фахрий ёрлиқ",
        "Почётная грамота",
        "Honorary certificate",
        False,
    ),
    ("badge", "Koʻkrak nishoni", "Кўкрак нишони", "Нагрудный знак", "Badge", False),
]

# Maximum in BCV by (ground, gravity or "", level). District amounts follow the resolution's
# 10× and 15× for grave and especially grave planned crimes; higher levels may award more.
RULES = [
    ("planned_crime", "less_grave", "district", 5),
    ("planned_crime", "grave", "district", 10),
    ("planned_crime", "especially_grave", "district", 15),
    ("planned_crime", "less_grave", "region", 8),
    ("planned_crime", "grave", "region", 15),
    ("planned_crime", "especially_grave", "region", 25),
    ("planned_crime", "less_grave", "republic", 12),
    ("planned_crime", "grave", "republic", 25),
    ("planned_crime", "especially_grave", "republic", 40),
    ("evidence", "less_grave", "district", 4),
    ("evidence", "grave", "district", 8),
    ("evidence", "especially_grave", "district", 12),
    ("evidence", "less_grave", "region", 6),
    ("evidence", "grave", "region", 12),
    ("evidence", "especially_grave", "region", 20),
    ("evidence", "less_grave", "republic", 10),
    ("evidence", "grave", "republic", 20),
    ("evidence", "especially_grave", "republic", 30),
    ("hidden_items", "", "district", 5),
    ("hidden_items", "", "region", 10),
    ("hidden_items", "", "republic", 20),
    ("wanted_person", "", "district", 5),
    ("wanted_person", "", "region", 10),
    ("wanted_person", "", "republic", 20),
    ("prevention", "", "district", 3),
    ("prevention", "", "region", 5),
    ("prevention", "", "republic", 10),
]
