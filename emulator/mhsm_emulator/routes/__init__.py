"""Route modules of the vault app; each exposes ``routes`` and optionally ``setup(app)`` and ``MIGRATIONS``."""
