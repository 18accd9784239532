"""Pure domain: enums, value rules and typed errors. No SQLAlchemy, no Qt."""
