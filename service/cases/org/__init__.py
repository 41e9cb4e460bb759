"""The organisation: departments, positions, acting appointments, access grants (issue 13)."""
