"""Every limit and bad input gets its reply, and the server keeps serving others."""
import smtplib
import socket
import time
import unittest

from harness import AxonTestCase, DOMAIN, RawSmtp

ALICE = f"alice@{DOMAIN}"


def start(inst):
    c = RawSmtp(inst.smtp_port)
    assert c.reply().startswith("220")
    assert c.cmd("EHLO limits.example.net").startswith("250")
    return c


class Limits(AxonTestCase):
    settings = {
        ("smtp", "max_message_size"): "65536",
        ("smtp", "max_recipients"): "100",
        ("smtp", "max_command_line"): "512",
        ("smtp", "max_errors"): "3",
        ("smtp", "idle_timeout"): '"2s"',
        ("server", "max_connections_per_ip"): "6",
        ("smtp", "junk_command_limit"): "20",
    }

    def assert_still_serving(self):
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:
            self.assertEqual(s.noop()[0], 250)

    def test_size_param_and_actual_size(self):
        c = start(self.inst)
        self.assertIn("SIZE 65536", c.cmd("EHLO again.example.net"))
        self.assertTrue(c.cmd("MAIL FROM:<s@example.net> SIZE=200000").startswith("552 5.3.4"))
        self.assertTrue(c.cmd("MAIL FROM:<s@example.net>").startswith("250"))
        c.cmd(f"RCPT TO:<{ALICE}>")
        self.assertTrue(c.cmd("DATA").startswith("354"))
        c.send(("x" * 998 + "\r\n") * 80)
        self.assertTrue(c.cmd(".").startswith("552 5.3.4"))
        self.assertTrue(c.cmd("RSET").startswith("250"))
        c.close()
        self.assert_still_serving()

    def test_too_many_recipients(self):
        c = start(self.inst)
        c.cmd("MAIL FROM:<s@example.net>")
        for _ in range(100):
            self.assertTrue(c.cmd(f"RCPT TO:<{ALICE}>").startswith("250"))
        self.assertTrue(c.cmd(f"RCPT TO:<{ALICE}>").startswith("452"))
        c.close()

    def test_line_too_long(self):
        c = start(self.inst)
        self.assertTrue(c.cmd("NOOP " + "x" * 5000).startswith("500 5.5.6"))
        self.assertTrue(c.cmd("NOOP").startswith("250"))
        c.close()

    def test_error_limit_closes(self):
        c = start(self.inst)
        replies = [c.cmd("BOGUS") for _ in range(4)]  # max_errors = 3: the fourth is one too many
        self.assertTrue(all(r.startswith("500") for r in replies), replies)
        self.assertTrue(c.reply().startswith("421 4.7.0"))
        self.assertTrue(c.closed())
        self.assert_still_serving()

    def test_junk_command_loop_is_cut_off(self):
        # NOOP/RSET/VRFY/HELP change nothing: past junk_command_limit (20) each counts as an error, and past
        # max_errors (3) the session ends, so such a loop cannot hold a connection slot forever.
        c = start(self.inst)
        replies = []
        for i in range(30):
            r = c.cmd(["NOOP", "RSET", "VRFY postmaster", "HELP"][i % 4])
            replies.append(r)
            if r.startswith("421"):
                break
        self.assertTrue(replies[-1].startswith("421 4.7.0"), replies[-3:])
        self.assertLessEqual(len(replies), 25)
        self.assertTrue(c.closed())
        self.assert_still_serving()

    def test_idle_timeout(self):
        c = start(self.inst)
        t0 = time.time()
        r = c.reply()
        self.assertTrue(r.startswith("421 4.4.2"), r)
        self.assertLess(time.time() - t0, 10)
        self.assertTrue(c.closed())

    def test_connections_per_ip(self):
        time.sleep(0.5)  # let connections of earlier tests finish on the server side
        conns = []
        try:
            for _ in range(6):
                c = RawSmtp(self.inst.smtp_port)
                self.assertTrue(c.reply().startswith("220"))
                conns.append(c)
            extra = RawSmtp(self.inst.smtp_port)
            self.assertTrue(extra.reply().startswith("421 4.7.0"))
            self.assertTrue(extra.closed())
        finally:
            for c in conns:
                c.close()
        time.sleep(0.3)
        self.assert_still_serving()

    def test_garbage_and_binary_input(self):
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        c.send(bytes(range(256)) * 4 + b"\r\n")
        r = c.reply()
        self.assertTrue(r.startswith("5"), r)
        c.close()
        self.assert_still_serving()

    def test_commands_out_of_order(self):
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        self.assertTrue(c.cmd("MAIL FROM:<s@example.net>").startswith("503"))
        c.cmd("EHLO order.example.net")
        self.assertTrue(c.cmd(f"RCPT TO:<{ALICE}>").startswith("503"))
        self.assertTrue(c.cmd("DATA").startswith("503"))
        c.close()

    def test_abrupt_disconnect_mid_data(self):
        c = start(self.inst)
        c.cmd("MAIL FROM:<s@example.net>")
        c.cmd(f"RCPT TO:<{ALICE}>")
        c.cmd("DATA")
        c.send("Subject: cut\r\n\r\npartial")
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
        self.assert_still_serving()


class Deadlines(AxonTestCase):
    """Per-request deadline with a minimum data rate (as Postfix 3.7's smtpd_per_request_deadline and
    smtpd_min_data_rate): reads do not restart the idle clock, every byte buys 1/min_data_rate seconds."""
    settings = {
        ("smtp", "idle_timeout"): '"2s"',
        ("smtp", "min_data_rate"): "100000",
    }

    def test_trickle_gets_421_within_the_deadline(self):
        c = start(self.inst)
        c.s.settimeout(0.5)
        t0 = time.time()
        got = b""
        while time.time() - t0 < 10 and b"\n" not in got:  # a byte every half second, never a whole line
            try:
                c.s.sendall(b"X")
                d = c.s.recv(512)
                if not d:
                    break
                got += d
            except socket.timeout:
                continue
            except OSError:
                break
        elapsed = time.time() - t0
        self.assertTrue(got.startswith(b"421 4.4.2"), got)
        self.assertLess(elapsed, 4)  # 2 s after our last reply, although a byte came every 0.5 s

    def test_big_data_at_normal_speed_passes(self):
        c = start(self.inst)
        self.assertTrue(c.cmd("MAIL FROM:<s@example.net>").startswith("250"))
        self.assertTrue(c.cmd(f"RCPT TO:<{ALICE}>").startswith("250"))
        self.assertTrue(c.cmd("DATA").startswith("354"))
        t0 = time.time()
        piece = ("x" * 998 + "\r\n") * 64  # 64 000 bytes
        c.send("Subject: slow but steady\r\n\r\n")
        for _ in range(32):  # 2 MB over more than 3 s (about 600 KB/s): longer than idle_timeout
            c.send(piece)
            time.sleep(0.1)
        r = c.cmd(".")
        self.assertGreater(time.time() - t0, 3)
        self.assertTrue(r.startswith("250 2.0.0"), r)
        c.close()


if __name__ == "__main__":
    unittest.main()
