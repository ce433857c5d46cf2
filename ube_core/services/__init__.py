"""Use cases: the only way to write. Each runs in one unit of work, asks the rules engine
first, and appends its audit event in the same transaction."""
