"""Texts of domain.yml responses, as the tests compare them."""
from __future__ import annotations


def response_text(domain, name):
    return domain["responses"][name][0]["text"]


def static_part(domain, name):
    """The text of a response up to its first placeholder."""
    return response_text(domain, name).split("{", 1)[0]
