from collections import Counter

import pytest

GENERATED_REQUESTS = pytest.StashKey[Counter]()


@pytest.fixture(scope="session")
def generated_requests(pytestconfig) -> Counter:
    """How many requests the fuzzer sent, per role; shown at the end of the run."""
    return pytestconfig.stash.setdefault(GENERATED_REQUESTS, Counter())


def pytest_terminal_summary(terminalreporter, config):
    counts = config.stash.get(GENERATED_REQUESTS, None)
    if not counts:
        return
    per_role = ", ".join(f"{role} {count}" for role, count in sorted(counts.items()))
    terminalreporter.write_line(
        f"API fuzzing: {sum(counts.values())} generated requests ({per_role})"
    )
