"""POP3 against a running axon with real clients: python's poplib (USER/PASS, STLS, POP3_SSL on pop3s with the
instance's own certificate), curl's pop3:// and pop3s://, and fetchmail (keep, then fetch all and delete, into a
local mbox through an MDA). Mail comes in over SMTP (smtplib). A SIGKILL between DELE and QUIT loses nothing; one
right after QUIT's +OK keeps the deletion (QUIT answers only after a durable point)."""
import os
import poplib
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
import unittest
import uuid

from harness import DOMAIN, Instance

POP3_SETTINGS = {("pop3", "enabled"): "true", ("pop3s", "enabled"): "true", ("auth", "failure_delay"): '"0s"'}


def message(subject, to, body):
    return (f"From: sender@example.net\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.net>\r\n\r\n{body}")


# A body that exercises byte-stuffing and long lines: lines that begin with dots, a lone dot, a long line.
TRICKY_BODY = ("first line\r\n.leading dot\r\n..two dots\r\n.\r\n" + "x" * 900 + "\r\nend of body\r\n")


class Pop3Instance(Instance):
    def __init__(self, users):
        Instance.__init__(self, POP3_SETTINGS, users=users, ports=(25, 110, 995))
        self.pop3_port = 110 + self.offset
        self.pop3s_port = 995 + self.offset
        self.cert = os.path.join(self.dir, "tls", "cert.pem")

    def deliver(self, user, subject, body="Hello.\r\n"):
        to = f"{user}@{DOMAIN}"
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as s:
            s.sendmail("sender@example.net", [to], message(subject, to, body))

    def pop(self, user):
        p = poplib.POP3("127.0.0.1", self.pop3_port, timeout=10)
        p.user(f"{user}@{DOMAIN}")
        p.pass_(f"pw-{user}")
        return p

    def wait_pop_count(self, user, n, timeout=15):
        """Delivery is published a moment after the 250: poll until POP3 sees n messages."""
        deadline = time.time() + timeout
        while True:
            p = self.pop(user)
            count = p.stat()[0]
            p.quit()
            if count >= n or time.time() > deadline:
                return count
            time.sleep(0.1)


def tls_context(cert):
    """Trusts the instance's self-signed certificate; its name is mail.example.org, we connect to 127.0.0.1."""
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False
    return ctx


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def body_of(lines):
    """The body of a message as poplib returns it (a list of byte lines, dot-unstuffed)."""
    raw = b"\r\n".join(lines) + b"\r\n"
    return raw.split(b"\r\n\r\n", 1)[1]


def ensure_fetchmail():
    """fetchmail is a test dependency (scripts/deps.sh --test); install it when a bare checkout runs this file."""
    if shutil.which("fetchmail"):
        return
    deps = os.path.join(os.path.dirname(__file__), "../../scripts/deps.sh")
    subprocess.run([deps, "--test"], capture_output=True, timeout=600)


class Pop3Clients(unittest.TestCase):
    users = ("alice", "bob", "carol", "dave", "erin", "frank")

    @classmethod
    def setUpClass(cls):
        ensure_fetchmail()
        cls.inst = Pop3Instance(cls.users).start()

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def test_poplib_session(self):
        subjects = ["pop-" + uuid.uuid4().hex for _ in range(3)]
        for s in subjects:
            self.inst.deliver("alice", s, TRICKY_BODY)
        self.assertEqual(self.inst.wait_pop_count("alice", 3), 3)
        p = self.inst.pop("alice")
        self.assertIn("TOP", p.capa())
        count, size = p.stat()
        self.assertEqual(count, 3)
        resp, listing, _ = p.list()
        sizes = [int(l.split()[1]) for l in listing]
        self.assertEqual(sum(sizes), size)
        resp, uidls, _ = p.uidl()
        uids = [l.split()[1] for l in uidls]
        self.assertEqual(len(set(uids)), 3)
        for i, s in enumerate(subjects, 1):
            resp, lines, octets = p.retr(i)
            self.assertEqual(resp, b"+OK %d octets" % sizes[i - 1])  # LIST's size, the stored octets
            text = b"\r\n".join(lines)
            self.assertIn(f"Subject: {s}".encode(), text)
            self.assertEqual(body_of(lines), TRICKY_BODY.encode())  # unstuffed, intact
        resp, lines, _ = p.top(2, 0)
        self.assertIn(f"Subject: {subjects[1]}".encode(), b"\r\n".join(lines))
        self.assertEqual(lines[-1], b"")  # the header's blank line, no body
        resp, lines, _ = p.top(2, 2)
        self.assertEqual(lines[-2:], [b"first line", b".leading dot"])
        p.dele(1)
        with self.assertRaises(poplib.error_proto):
            p.retr(1)
        self.assertEqual(p.stat()[0], 2)
        self.assertTrue(p.quit().startswith(b"+OK"))
        # The next session: one message fewer, the others keep their unique-ids.
        p = self.inst.pop("alice")
        self.assertEqual(p.stat()[0], 2)
        self.assertEqual([l.split()[1] for l in p.uidl()[1]], uids[1:])
        p.quit()

    def test_stls_then_login(self):
        self.inst.deliver("bob", "stls-" + uuid.uuid4().hex)
        self.assertEqual(self.inst.wait_pop_count("bob", 1), 1)
        p = poplib.POP3("127.0.0.1", self.inst.pop3_port, timeout=10)
        self.assertIn("STLS", p.capa())
        p.stls(context=tls_context(self.inst.cert))
        self.assertNotIn("STLS", p.capa())
        p.user(f"bob@{DOMAIN}")
        p.pass_("pw-bob")
        self.assertEqual(p.stat()[0], 1)
        p.quit()

    def test_pop3_ssl_on_pop3s(self):
        subject = "pop3s-" + uuid.uuid4().hex
        self.inst.deliver("carol", subject, TRICKY_BODY)
        self.assertEqual(self.inst.wait_pop_count("carol", 1), 1)
        p = poplib.POP3_SSL("127.0.0.1", self.inst.pop3s_port, timeout=10, context=tls_context(self.inst.cert))
        p.user(f"carol@{DOMAIN}")
        p.pass_("pw-carol")
        resp, lines, _ = p.retr(1)
        self.assertIn(f"Subject: {subject}".encode(), b"\r\n".join(lines))
        self.assertEqual(body_of(lines), TRICKY_BODY.encode())
        p.dele(1)
        p.quit()
        self.assertEqual(self.inst.wait_pop_count("carol", 0, timeout=0), 0)

    def test_wrong_password_is_auth_error(self):
        p = poplib.POP3("127.0.0.1", self.inst.pop3_port, timeout=10)
        p.user(f"dave@{DOMAIN}")
        with self.assertRaises(poplib.error_proto) as e:
            p.pass_("not-the-password")
        self.assertEqual(e.exception.args[0], b"-ERR [AUTH] Authentication failed.")
        p.user(f"dave@{DOMAIN}")
        p.pass_("pw-dave")
        p.quit()

    def test_curl_lists_and_retrieves(self):
        subject = "curl-" + uuid.uuid4().hex
        self.inst.deliver("erin", subject, TRICKY_BODY)
        self.assertEqual(self.inst.wait_pop_count("erin", 1), 1)
        base = ["curl", "-sS", "--max-time", "20", "-u", f"erin@{DOMAIN}:pw-erin"]
        url = f"pop3://127.0.0.1:{self.inst.pop3_port}/"
        listing = subprocess.run(base + [url], capture_output=True, timeout=30)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        lines = listing.stdout.decode().split("\r\n")
        self.assertRegex(lines[0], r"^1 \d+$")
        got = subprocess.run(base + [url + "1"], capture_output=True, timeout=30)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertIn(f"Subject: {subject}".encode(), got.stdout)
        self.assertTrue(got.stdout.endswith(TRICKY_BODY.encode()), got.stdout[-200:])
        # pop3s:// (implicit TLS) and pop3:// with STLS required, verified against the instance's certificate
        # under its name (mail.example.org, resolved to loopback).
        name = f"mail.{DOMAIN}"
        for port, scheme, extra in ((self.inst.pop3s_port, "pop3s", []), (self.inst.pop3_port, "pop3", ["--ssl-reqd"])):
            r = subprocess.run(base + ["--cacert", self.inst.cert, "--resolve", f"{name}:{port}:127.0.0.1"] + extra +
                               [f"{scheme}://{name}:{port}/1"], capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 0, (scheme, r.stderr))
            self.assertTrue(r.stdout.endswith(TRICKY_BODY.encode()))
        # Nothing was deleted, and curl's RETRs marked the message \Seen in the store for IMAP.
        self.assertEqual(self.inst.wait_pop_count("erin", 1, timeout=0), 1)
        self.assertEqual(self.inst.mailboxes(f"erin@{DOMAIN}")["INBOX"]["unseen"], 0)

    def test_fetchmail_keep_then_fetch_and_delete(self):
        if not shutil.which("fetchmail"):
            self.skipTest("fetchmail is not installed and could not be (scripts/deps.sh --test)")
        subjects = ["fetchmail-" + uuid.uuid4().hex for _ in range(2)]
        for s in subjects:
            self.inst.deliver("frank", s, TRICKY_BODY)
        self.assertEqual(self.inst.wait_pop_count("frank", 2), 2)
        home = tempfile.mkdtemp(prefix="axon-fetchmail-", dir=self.inst.dir)
        mbox = os.path.join(home, "mbox")

        def fetch(extra):
            rc = os.path.join(home, "fetchmailrc")
            with open(rc, "w") as f:
                # sslproto '' keeps fetchmail from STLS (the self-signed name would not verify); loopback may log
                # in without TLS.
                f.write(f"set no syslog\npoll 127.0.0.1 service {self.inst.pop3_port} protocol POP3 "
                        f"user \"frank@{DOMAIN}\" password \"pw-frank\" sslproto '' mda \"cat >> {mbox}\" {extra}\n")
            os.chmod(rc, 0o600)
            return subprocess.run(["fetchmail", "--nodetach", "-f", rc, "--pidfile", os.path.join(home, "pid")],
                                  capture_output=True, text=True, timeout=60, env=dict(os.environ, HOME=home))

        r = fetch("keep fetchall")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        got = read_bytes(mbox)
        for s in subjects:
            self.assertEqual(got.count(f"Subject: {s}".encode()), 1)
        self.assertEqual(got.count(TRICKY_BODY.replace("\r\n", "\n").encode()) +
                         got.count(TRICKY_BODY.encode()), 2, got[-600:])
        self.assertEqual(self.inst.wait_pop_count("frank", 2, timeout=0), 2)  # kept
        r = fetch("fetchall")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        got = read_bytes(mbox)
        for s in subjects:
            self.assertEqual(got.count(f"Subject: {s}".encode()), 2)
        self.assertEqual(self.inst.wait_pop_count("frank", 0, timeout=0), 0)  # deleted after the fetch


class Pop3Durability(unittest.TestCase):
    """DELE is only a mark: a server killed before QUIT has lost nothing; QUIT's +OK comes after a durable point."""

    @classmethod
    def setUpClass(cls):
        cls.inst = Pop3Instance(("alice",)).start()

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def test_sigkill_between_dele_and_quit_loses_nothing(self):
        inst = self.inst
        for i in range(3):
            inst.deliver("alice", f"kill-{i}")
        self.assertEqual(inst.wait_pop_count("alice", 3), 3)
        p = inst.pop("alice")
        p.dele(1)
        p.dele(3)
        p.retr(2)
        inst.kill()
        inst.start()
        p = inst.pop("alice")
        self.assertEqual(p.stat()[0], 3)
        # Now the update goes through; SIGKILL right after its +OK: the deletions stay done.
        p.dele(1)
        p.dele(3)
        self.assertTrue(p.quit().startswith(b"+OK"))
        inst.kill()
        inst.start()
        p = inst.pop("alice")
        self.assertEqual(p.stat()[0], 1)
        self.assertIn(b"Subject: kill-1", b"\r\n".join(p.retr(1)[1]))
        p.quit()


if __name__ == "__main__":
    unittest.main()
