import pytest

from portal.organizations.credit_code import check_digit, credit_code_error


def test_known_valid_code() -> None:
    assert credit_code_error("91350100M000100Y43") is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "18 位"),
        ("91350100M000100Y44", "校验位"),
        ("91350100M0001O0Y43", "大写字母"),
    ],
)
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    message = credit_code_error(code)
    assert message is not None and reason in message


def test_check_digit_roundtrip() -> None:
    body = "91430100MA4L12345"
    assert credit_code_error(body + check_digit(body)) is None
