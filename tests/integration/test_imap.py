"""IMAP against a running `axon serve`, with real clients: python3's imaplib (plain on loopback, STARTTLS, and
IMAP4_SSL on the implicit-TLS port), curl imap://, and mbsync syncing both ways with a local Maildir; two sessions
seeing each other's changes; IDLE woken by an SMTP delivery within a second; a SIGKILL in the middle of APPEND and
of EXPUNGE leaving a store that opens and serves every message it lists."""
import imaplib
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import DOMAIN, Instance

ALICE = f"alice@{DOMAIN}"
BOB = f"bob@{DOMAIN}"


def msg(subject, body="hello\r\n", frm="carol@example.net", to=ALICE):
    return (f"From: {frm}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@example.net>\r\n\r\n{body}")


class ImapTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.inst = Instance({("imap", "enabled"): "true", ("imaps", "enabled"): "true"}).start()
        cls.port = 143 + cls.inst.offset
        cls.tls_port = 993 + cls.inst.offset

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def smtp(self, data, to=ALICE):
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:
            s.sendmail("carol@example.net", [to], data.encode())

    def login(self, user=ALICE):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        m.login(user, self.inst.passwords[user])
        return m

    def wait_exists(self, m, n, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            typ, data = m.select("INBOX")
            if int(data[0]) >= n:
                return True
            time.sleep(0.1)
        return False

    def test_imaplib_session(self):
        self.smtp(msg("first", "line one\r\n.dotted\r\n"))
        self.smtp(msg("second"))
        m = self.login()
        self.assertTrue(self.wait_exists(m, 2))
        typ, caps = m.capability()
        self.assertIn(b"IMAP4rev2", caps[0])
        self.assertIn(b"IDLE", caps[0])
        typ, data = m.uid("SEARCH", None, "SUBJECT", "first")
        self.assertEqual(typ, "OK")
        uid = data[0].split()[0]
        typ, data = m.uid("FETCH", uid, "(BODY.PEEK[] FLAGS)")
        self.assertEqual(typ, "OK")
        body = data[0][1]
        self.assertIn(b"line one\r\n.dotted\r\n", body)
        self.assertTrue(body.startswith(b"Return-Path: <carol@example.net>\r\n"))
        typ, data = m.uid("FETCH", uid, "(ENVELOPE BODYSTRUCTURE)")
        self.assertIn(b'"first"', data[0])
        self.assertIn(b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit"', data[0])
        m.uid("STORE", uid, "+FLAGS", r"(\Flagged $Work)")
        typ, data = m.uid("FETCH", uid, "(FLAGS)")
        self.assertIn(rb"\Flagged", data[0])
        self.assertIn(b"$Work", data[0])
        typ, data = m.uid("COPY", uid, "Archive")
        self.assertEqual(typ, "OK")
        m.create("Projects/Axon")
        typ, data = m.list('""', "*")
        names = b"\n".join(data)
        self.assertIn(b'"/" Projects/Axon', names)
        self.assertIn(rb"\Sent", names)
        m.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
        typ, data = m.expunge()
        self.assertEqual(typ, "OK")
        typ, data = m.append("Projects/Axon", r"(\Seen)", None, msg("appended").encode())
        self.assertEqual(typ, "OK")
        self.assertIn(b"APPENDUID", data[0])
        typ, data = m.status("Projects/Axon", "(MESSAGES UNSEEN)")
        self.assertIn(b"MESSAGES 1 UNSEEN 0", data[0])
        m.logout()
        # The CLI sees the same counters.
        self.assertEqual(self.inst.mailboxes(ALICE)["Projects/Axon"]["messages"], 1)

    def test_tls_both_ways(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        m = imaplib.IMAP4_SSL("127.0.0.1", self.tls_port, ssl_context=ctx, timeout=10)
        m.login(BOB, self.inst.passwords[BOB])
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        self.assertIn("STARTTLS", m.capabilities)
        m.starttls(ssl_context=ctx)
        m.login(BOB, self.inst.passwords[BOB])
        m.logout()

    def test_wrong_password(self):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        with self.assertRaises(imaplib.IMAP4.error):
            m.login(ALICE, "wrong")
        m.logout()

    def test_curl(self):
        self.smtp(msg("curl-me", "curl body\r\n"), to=BOB)
        m = self.login(BOB)
        self.assertTrue(self.wait_exists(m, 1))
        uid = m.uid("SEARCH", None, "SUBJECT", "curl-me")[1][0].split()[0].decode()
        m.logout()
        base = f"imap://127.0.0.1:{self.port}"
        user = f"{BOB}:{self.inst.passwords[BOB]}"
        r = subprocess.run(["curl", "-s", "-u", user, base + "/"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("INBOX", r.stdout)
        r = subprocess.run(["curl", "-s", "-u", user, f"{base}/INBOX;UID={uid}"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("curl body", r.stdout)

    def test_two_sessions_and_idle_wakeup(self):
        user = f"idle@{DOMAIN}"
        self.inst.add_user(user, "pw-idle")
        time.sleep(1.2)  # the server picks the new account up within a second
        a = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        a.login(user, "pw-idle")
        a.select("INBOX")
        b = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        b.login(user, "pw-idle")
        b.select("INBOX")
        # IDLE on a raw socket (imaplib has no IDLE before Python 3.14).
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"a LOGIN idle@example.org pw-idle\r\n")
        while not f.readline().startswith(b"a OK"):
            pass
        s.sendall(b"b SELECT INBOX\r\n")
        while not f.readline().startswith(b"b OK"):
            pass
        s.sendall(b"c IDLE\r\n")
        self.assertTrue(f.readline().startswith(b"+"))
        t0 = time.time()
        self.smtp(msg("wake"), to=user)
        line = f.readline()
        elapsed = time.time() - t0
        self.assertEqual(line, b"* 1 EXISTS\r\n")
        self.assertLess(elapsed, 1.5)  # the SMTP transaction included
        s.sendall(b"DONE\r\n")
        self.assertTrue(f.readline().startswith(b"c OK"))
        # A's flag change and expunge reach B at its next command (A first learns of the message itself).
        a.noop()
        b.noop()
        self.assertEqual(b.untagged_responses.pop("EXISTS", [None])[-1], b"1")
        a.store("1", "+FLAGS", r"(\Deleted)")
        a.expunge()
        b.noop()
        self.assertEqual(b.untagged_responses.get("EXPUNGE"), [b"1"])
        typ, data = b.search(None, "ALL")
        self.assertEqual(data[0], b"")
        a.logout()
        b.logout()
        s.close()

    def test_mbsync_both_ways(self):
        if not shutil.which("mbsync"):
            self.skipTest("mbsync (isync) is not installed")
        user = f"sync@{DOMAIN}"
        self.inst.add_user(user, "pw-sync")
        time.sleep(1.2)
        self.smtp(msg("to-sync", "synced body\r\n"), to=user)
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        m.login(user, "pw-sync")
        self.assertTrue(self.wait_exists(m, 1))
        m.logout()
        home = tempfile.mkdtemp(prefix="mbsync-")
        maildir = os.path.join(home, "Mail")
        os.makedirs(maildir)
        rc = os.path.join(home, "mbsyncrc")
        with open(rc, "w") as f:
            f.write(f"""IMAPAccount axon
Host 127.0.0.1
Port {self.port}
User {user}
Pass pw-sync
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account axon

MaildirStore local
Path {maildir}/
Inbox {maildir}/INBOX
SubFolders Verbatim

Channel all
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
""")
        run = lambda: subprocess.run(["mbsync", "-c", rc, "-a"], capture_output=True, text=True, timeout=60)
        r = run()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        new = os.path.join(maildir, "INBOX", "new")
        cur = os.path.join(maildir, "INBOX", "cur")
        files = os.listdir(new) + os.listdir(cur)
        self.assertEqual(len(files), 1)
        path = os.path.join(new if os.listdir(new) else cur, files[0])
        self.assertIn(b"synced body", open(path, "rb").read())
        # Flag it locally (Maildir "F"), and add a local message: both reach the server.
        flagged = os.path.join(cur, files[0].split(":2,")[0] + ":2,FS")
        os.rename(path, flagged)
        with open(os.path.join(new, "1700000000.local.host"), "wb") as f:
            f.write(msg("local-new", "from maildir\r\n", to=user).encode())
        r = run()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        m.login(user, "pw-sync")
        m.select("INBOX")
        typ, data = m.search(None, "FLAGGED")
        self.assertEqual(len(data[0].split()), 1)
        typ, data = m.search(None, "SUBJECT", "local-new")
        self.assertEqual(len(data[0].split()), 1)
        # Delete on the server; the next sync removes it locally.
        m.store(data[0].split()[0].decode(), "+FLAGS", r"(\Deleted)")
        m.expunge()
        m.logout()
        r = run()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        left = os.listdir(new) + os.listdir(cur)
        self.assertEqual(len(left), 1)
        shutil.rmtree(home, ignore_errors=True)


class ImapCrashTest(unittest.TestCase):
    """A SIGKILL mid-APPEND and mid-EXPUNGE: after the restart the store opens, every listed message is readable,
    and nothing acknowledged is lost."""

    def test_kill_mid_append_and_mid_expunge(self):
        inst = Instance({("imap", "enabled"): "true"}).start()
        port = 143 + inst.offset
        try:
            m = imaplib.IMAP4("127.0.0.1", port, timeout=10)
            m.login(ALICE, inst.passwords[ALICE])
            for i in range(5):
                self.assertEqual(m.append("INBOX", None, None, msg(f"kept{i}").encode())[0], "OK")
            m.select("INBOX")
            m.store("1:2", "+FLAGS", r"(\Deleted)")
            # Mid-APPEND: half of a big literal, then the kill.
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            f = s.makefile("rb")
            f.readline()
            s.sendall(f"a LOGIN {ALICE} {inst.passwords[ALICE]}\r\n".encode())
            while not f.readline().startswith(b"a OK"):
                pass
            s.sendall(b"b APPEND INBOX {4000000+}\r\n" + b"x" * 2000000)
            # Mid-EXPUNGE: sent, and killed while it runs.
            m.send(b"X1 EXPUNGE\r\n")
            inst.kill()
            s.close()
            inst.start()
            m = imaplib.IMAP4("127.0.0.1", port, timeout=10)
            m.login(ALICE, inst.passwords[ALICE])
            typ, data = m.select("INBOX")
            n = int(data[0])
            self.assertIn(n, (3, 5))  # the expunge happened whole or not at all; the half APPEND never
            typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            subjects = [d[1] for d in data if isinstance(d, tuple)]
            self.assertEqual(len(subjects), n)
            for s_ in subjects:
                self.assertRegex(s_, rb"Subject: kept\d")
            m.logout()
        finally:
            inst.close()


if __name__ == "__main__":
    unittest.main()
