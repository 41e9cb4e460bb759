"""Helpers every test area shares (service, API, pages, browser, ops): one place, one registration payload."""
