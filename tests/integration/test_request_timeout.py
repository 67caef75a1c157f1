"""A request must arrive whole within --request-timeout seconds: a client trickling its request
a byte at a time (never idle long enough for the idle timeout) is cut off, while a slow request
that does arrive whole in time is answered, and each request on a kept-alive connection gets
its own time."""
import select
import socket
import time

import harness

SERVER_ARGS = ["--request-timeout", "6"]

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Padding: " + b"p" * 40 + b"\r\n\r\n"


def test_01_a_trickled_request_is_closed_before_it_is_whole(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sent = 0
    closed = False
    try:
        # One byte every 0.25 s: about 17 s for the whole request, far beyond the deadline, yet
        # never idle for long (the idle timeout is 30 s).
        for i in range(len(REQUEST)):
            readable, _, _ = select.select([s], [], [], 0.25)
            if readable:
                closed = s.recv(4096) == b""
                break
            try:
                s.sendall(REQUEST[i:i + 1])
            except OSError:
                closed = True
                break
            sent += 1
        else:
            # Everything sent: the server must not have answered it.
            s.settimeout(10)
            data = s.recv(4096)
            closed = data == b""
            assert closed, "the trickled request was answered: %r" % data[:200]
    finally:
        s.close()
    assert closed
    assert sent < len(REQUEST), "the server waited for the whole trickled request"
    assert "no whole request within 6 s" in server.stderr()


def test_02_a_slow_but_timely_request_is_answered_and_each_request_has_its_own_time(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        # Eight requests in turn on one connection, each sent in six pieces over about 1.2 s:
        # about 10 s in all, past the 6 s deadline, yet each one well within its own deadline
        # (a wide margin, so that a loaded machine does not make the test fail).
        for _ in range(8):
            pieces = [REQUEST[i:i + 16] for i in range(0, len(REQUEST), 16)]
            for piece in pieces:
                s.sendall(piece)
                time.sleep(0.2)
            answers, left = harness.read_answers(s, ["GET"])
            assert answers[0][0] == 200 and answers[0][2].strip() == b"ok"
            assert left == b""
    finally:
        s.close()
