"""Areas of social partnership (Law ZRU-376 art. 8, and common further areas): (code, uz,
uz-Cyrl, ru, en). Admins edit the list afterwards."""

AREAS = [
    (
        "social_protection",
        "Aholini ijtimoiy himoya qilish",
        "Аҳолини ижтимоий ҳимоя қилиш",
        "Социальная защита населения",
        "Social protection",
    ),
    (
        "employment",
        "Bandlikka koʻmaklashish",
        "Бандликка кўмаклашиш",
        "Содействие занятости",
        "Employment",
    ),
    (
        "entrepreneurship",
        "Kichik biznes va tadbirkorlik",
        "Кичик бизнес ва тадбиркорлик",
        "Малый бизнес и предпринимательство",
        "Small business and entrepreneurship",
    ),
    (
        "environment_health",
        "Atrof-muhit va aholi salomatligi",
        "Атроф-муҳит ва аҳоли саломатлиги",
        "Окружающая среда и здоровье населения",
        "Environment and public health",
    ),
    ("youth", "Yoshlar tarbiyasi", "Ёшлар тарбияси", "Воспитание молодёжи", "Youth upbringing"),
    (
        "motherhood_childhood",
        "Onalik va bolalikni muhofaza qilish",
        "Оналик ва болаликни муҳофаза қилиш",
        "Охрана материнства и детства",
        "Motherhood and childhood",
    ),
    (
        "womens_rights",
        "Xotin-qizlar huquqlari",
        "Хотин-қизлар ҳуқуқлари",
        "Права женщин",
        "Women's rights",
    ),
    (
        "offence_prevention",
        "Huquqbuzarliklar profilaktikasi",
        "Ҳуқуқбузарликлар профилактикаси",
        "Профилактика правонарушений",
        "Prevention of offences",
    ),
    (
        "legal_awareness",
        "Huquqiy madaniyatni oshirish",
        "Ҳуқуқий маданиятни ошириш",
        "Повышение правовой культуры",
        "Legal awareness",
    ),
]
