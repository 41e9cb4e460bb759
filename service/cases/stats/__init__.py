"""Statistics (issue 16): facts projected onto the case row, filters shared with the case list, figures."""
