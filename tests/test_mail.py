from email import message_from_bytes, policy
from pathlib import Path

from portal.mail import Mail, Mailer
from portal.settings import Settings


def test_without_smtp_mail_is_written_under_the_data_dir(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    mailer = Mailer(Settings(portal_data_dir=tmp_path, portal_smtp_host=None))
    with caplog.at_level("WARNING", logger="portal.mail"):
        mailer.send(Mail(to="a@example.com", subject="重置密码", body="链接：https://x/y"))
    [file] = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["To"] == "a@example.com" and message["Subject"] == "重置密码"
    assert "https://x/y" in message.get_content()  # type: ignore[attr-defined]
    assert "a@example.com" in caplog.text and "https://x/y" not in caplog.text
