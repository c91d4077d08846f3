import pytest

from portal.inputs import MAX_INT, finite_number, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("²", None), ("１２", None), ("-3", None), ("1.5", None),
     ("", None), (str(MAX_INT), MAX_INT), (str(MAX_INT + 1), None), ("9" * 400, None)],
)  # fmt: skip
def test_whole_number(text: str, expected: int | None) -> None:
    assert whole_number(text) == expected


def test_whole_number_maximum() -> None:
    assert whole_number("2024", maximum=9999) == 2024
    assert whole_number("20240", maximum=9999) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234.5", 1234.5), ("１２", 12.0), ("-2", -2.0), ("", None), ("abc", None),
     ("nan", None), ("inf", None), ("-Infinity", None), ("1e309", None)],
)  # fmt: skip
def test_finite_number(text: str, expected: float | None) -> None:
    assert finite_number(text) == expected
