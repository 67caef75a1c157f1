"""The worker queue is bounded: with one worker kept busy and room for one job waiting, a
further blocking request is refused at once with 503, Retry-After and a short page in the
reader's language, and the server serves normally again afterwards.

Deterministic without any timing: the one worker is held by a sign-in that waits for the
database's write lock, which the test itself holds (a real situation: a long write elsewhere).
While the lock is held no job can finish, so of three sign-ins at most two fit (one running, one
waiting) and one at least must be refused."""
import select
import socket
import urllib.parse

import harness

SERVER_ARGS = ["--workers", "1", "--queue-max", "1"]


def _sign_in_request(client, user_id):
    token = client.csrf("/corporate")
    body = urllib.parse.urlencode({"user_id": user_id, "password": "wrong-password",
                                   "csrf": token}).encode()
    return (b"POST /corporate/sign-in HTTP/1.1\r\nHost: t\r\nAccept-Language: fr\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nCookie: %s\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (harness.cookie_header(client).encode(), len(body),
                                                body))


def test_01_full_queue_answers_503_with_retry_after_then_recovers(server):
    client = server.client()
    request = _sign_in_request(client, "queue-test")
    held = server.db.hold_writers()
    held.__enter__()  # every sign-in now waits for the lock
    socks = []
    try:
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=20)
            s.sendall(request)
            socks.append(s)
        # The first answer to come back is the refusal: the others wait for the lock.
        readable, _, _ = select.select(socks, [], [], 20)
        assert readable, "no answer within 20 s while the worker was held"
        [(status, headers, body)], _ = harness.read_answers(readable[0], ["POST"])
        assert status == 503, (status, body[:300])
        assert headers.get("retry-after") == "5"
        page = body.decode()
        assert "Serveur occupé" in page
        assert '<html lang="fr"' in page
        waiting = [s for s in socks if s is not readable[0]]
    finally:
        held.__exit__(None, None, None)
    # Once the lock is released the queued sign-ins are answered (a wrong password: 401), or
    # a second one was refused as well.
    statuses = [harness.read_answers(s, ["POST"])[0][0][0] for s in waiting]
    assert all(st in (401, 503) for st in statuses), statuses
    assert 401 in statuses, statuses
    for s in socks:
        s.close()
    # And the server takes blocking work again.
    (status, _, _), _ = _fresh_exchange(server, _sign_in_request(client, "queue-test"))
    assert status == 401
    assert "the worker queue is full" in server.stderr()


def _fresh_exchange(server, request):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    try:
        s.sendall(request)
        answers, _ = harness.read_answers(s, ["POST"])
        return answers[0], None
    finally:
        s.close()
