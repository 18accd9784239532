"""Use cases. Each function takes a session (opened by the caller, one per user action) and plain
values, writes through the ORM, leaves an audit event for every write, flushes but never commits,
and returns frozen DTOs. Failures are typed (``mappa_desktop.domain.errors``)."""
