"""The fault fixtures themselves: a Redis server that stops and starts again, an SMTP
server that keeps, holds and refuses messages."""

import smtplib
import socket
import threading
from email.message import EmailMessage

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_the_redis_server_stops_and_starts_again_on_its_port(redis_server):
    assert redis_server.running and answers(redis_server.port)
    assert redis_server.url() == f"redis://127.0.0.1:{redis_server.port}/0"
    assert redis_server.url(db=3).endswith("/3")

    redis_server.stop()
    assert not redis_server.running and not answers(redis_server.port)
    redis_server.start()
    assert answers(redis_server.port)
    redis_server.kill()
    assert not redis_server.running and not answers(redis_server.port)
    redis_server.start()
    assert redis_server.running and answers(redis_server.port)


def message(to: str, number: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "portail@cos-ge.fr"
    mail["To"] = to
    mail["Subject"] = f"Message {number}"
    mail.set_content("Bonjour")
    return mail


def test_the_smtp_server_keeps_holds_then_refuses(smtp_server):
    assert smtp_server.url == f"smtp://127.0.0.1:{smtp_server.port}"
    smtp_server.hold_after(2)
    outcomes = []

    def send_three():
        with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=30) as smtp:
            for number in range(3):
                try:
                    smtp.send_message(message(f"p{number}@exemple.fr", number))
                except smtplib.SMTPDataError as error:
                    outcomes.append(error.smtp_code)
                else:
                    outcomes.append(250)

    sender = threading.Thread(target=send_three)
    sender.start()
    smtp_server.wait_held(1, timeout=10)
    assert [m["Subject"] for m in smtp_server.wait_for(2, timeout=10)] == [
        "Message 0",
        "Message 1",
    ]
    assert smtp_server.messages[0].envelope_recipients == ["p0@exemple.fr"]
    smtp_server.release()
    sender.join(timeout=10)
    assert outcomes == [250, 250, 451]
    assert len(smtp_server.messages) == 2  # the held message was never delivered

    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=10) as smtp:
        smtp.send_message(message("p3@exemple.fr", 3))
    assert [m["To"] for m in smtp_server.wait_for(3, timeout=10)][-1] == "p3@exemple.fr"
    with pytest.raises(TimeoutError):
        smtp_server.wait_for(4, timeout=0.2)
