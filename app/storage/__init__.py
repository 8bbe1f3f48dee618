"""Storage: database location, engines, ORM models, migrations, unit of work."""
