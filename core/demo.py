"""Shared pieces of the demo data generator; each app adds its part in <app>/demo.py."""

import random
from dataclasses import dataclass, field

SCALES = ("tiny", "small", "national")
DEMO_PASSWORD = "hamkorlik-demo"  # noqa: S105 - demo data only, printed by seed_demo


@dataclass
class DemoContext:
    scale: str
    rng: random.Random
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, where)
    stdout: object = None

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)
