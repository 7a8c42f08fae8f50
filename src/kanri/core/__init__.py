"""Shared mechanisms with no business rules: ids, errors, pagination, filters, auth, audit."""
