from portal.auth.passwords import hash_password, password_error, verify_password


def test_argon2_hashes_verify_and_differ() -> None:
    first, second = hash_password("a-long-passphrase"), hash_password("a-long-passphrase")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "a-long-passphrase")
    assert not verify_password(first, "a-long-passphrasE")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_password_rules() -> None:
    assert password_error("short", min_length=10) == "密码至少需要 10 个字符"
    assert password_error("aaaaaaaaaaaa", min_length=10) is not None
    assert password_error("me@example.com", min_length=10, email="me@example.com") is not None
    assert password_error("a-good-passphrase", min_length=10) is None
