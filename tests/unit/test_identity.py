"""Conversation identity (rasa_server/channels/identity.py): signed widget session ids, the generated key,
bearer tokens. The attacks against the running servers are in tests/e2e/test_security.py."""
from __future__ import annotations

import stat

import pytest

from backoffice_career.settings import Settings
from rasa_server.channels.identity import SessionSigner, bearer_token_matches, conversation_id, session_key


def test_issued_ids_verify_and_anything_else_does_not():
    signer = SessionSigner(b"key")
    signed, session_id = signer.issue()
    assert signer.verify(signed) == session_id and signed.startswith(session_id + ".")
    assert signer.issue()[1] != session_id
    session_part, _, signature = signed.partition(".")
    for forged in (session_id, f"web:{session_id}", f"{session_id}.", f"other.{signature}", signed + "0",
                   f"{session_part}.{signature.upper()}", SessionSigner(b"other key").issue()[0], None, 42,
                   "é" * 10, "a" * 10_000):
        assert signer.verify(forged) is None, forged


def test_the_generated_key_is_private_and_kept(tmp_path):
    settings = Settings(session_secret_file=tmp_path / "var" / "session_secret")  # type: ignore[call-arg]
    key = session_key(settings)
    path = settings.session_secret_file
    assert len(key) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert session_key(settings) == key  # every worker and restart reads the same key
    assert session_key(Settings(session_secret="from-env")) == b"from-env"  # type: ignore[call-arg]
    path.write_text("")
    with pytest.raises(RuntimeError, match="SESSION_SECRET"):
        session_key(settings)


def test_channels_prefix_their_senders():
    assert conversation_id("rest", "slack:U0123") == "rest:slack:U0123"


def test_bearer_token():
    assert bearer_token_matches("t0k", "Bearer t0k", None)
    assert bearer_token_matches("t0k", "bearer t0k", None)
    assert bearer_token_matches("t0k", None, "t0k")
    for header, query in (("Bearer t0", None), ("t0k", None), ("Basic t0k", None), (None, "x"), (None, None),
                          ("Bearer ", ""), ("Bearer tök", None)):
        assert not bearer_token_matches("t0k", header, query)
