"""Default reference lists of the prevention service: (code, uz, uz-Cyrl, ru, en).

Loaded by a data migration and ensured again by load_units and the demo data (a flushed test
database loses migration data). Admins edit the lists afterwards.
"""

GRADES = [
    ("senior", "Katta inspektor", "Катта инспектор", "Старший инспектор", "Senior inspector"),
    ("chief", "Bosh inspektor", "Бош инспектор", "Главный инспектор", "Chief inspector"),
    (
        "inspector",
        "Profilaktika inspektori",
        "Профилактика инспектори",
        "Инспектор профилактики",
        "Prevention inspector",
    ),
    ("junior", "Kichik inspektor", "Кичик инспектор", "Младший инспектор", "Junior inspector"),
    (
        "assistant",
        "Profilaktika inspektori yordamchisi",
        "Профилактика инспектори ёрдамчиси",
        "Помощник инспектора профилактики",
        "Assistant inspector",
    ),
]
CATEGORIES = [
    (
        "released_prisoner",
        "Jazoni oʻtab qaytganlar",
        "Жазони ўтаб қайтганлар",
        "Освобождённые из мест лишения свободы",
        "Released prisoners",
    ),
    (
        "non_custodial",
        "Ozodlikdan mahrum qilish bilan bogʻliq boʻlmagan jazoga hukm qilinganlar",
        "Озодликдан маҳрум қилиш билан боғлиқ бўлмаган жазога ҳукм қилинганлар",
        "Осуждённые к наказаниям, не связанным с лишением свободы",
        "Non-custodial sentences",
    ),
    (
        "administrative_offender",
        "Maʼmuriy huquqbuzarlik sodir etganlar",
        "Маъмурий ҳуқуқбузарлик содир этганлар",
        "Совершившие административные правонарушения",
        "Administrative offenders",
    ),
    (
        "domestic_violence",
        "Oilaviy zoʻravonlik sodir etganlar",
        "Оилавий зўравонлик содир этганлар",
        "Совершившие насилие в семье",
        "Domestic-violence offenders",
    ),
    (
        "alcohol_drugs",
        "Spirtli ichimlik yoki giyohvandlik vositalarini isteʼmol qiluvchilar",
        "Спиртли ичимлик ёки гиёҳвандлик воситаларини истеъмол қилувчилар",
        "Злоупотребляющие алкоголем или наркотиками",
        "Alcohol or drug abuse",
    ),
    ("minor", "Voyaga yetmaganlar", "Вояга етмаганлар", "Несовершеннолетние", "Minors"),
    (
        "administrative_supervision",
        "Maʼmuriy nazorat ostidagilar",
        "Маъмурий назорат остидагилар",
        "Находящиеся под административным надзором",
        "Under administrative supervision",
    ),
    ("other", "Boshqa", "Бошқа", "Другое", "Other"),
]
