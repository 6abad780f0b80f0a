"""Fault tests: the portal run as real processes against throw-away servers (Redis,
PostgreSQL) that the tests stop and start, never the shared ones the rest of the suite uses."""
