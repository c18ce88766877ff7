"""init/serve/CLI as a user runs them: start-up errors exit 2 with one clear line, SIGTERM drains and exits 0,
the admin commands work while the server runs."""
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest
import uuid

from harness import AXON, DOMAIN, Instance, RawSmtp, axon, free_offset, set_key


class Startup(unittest.TestCase):
    def setUp(self):
        self.inst = Instance(users=("alice",))

    def tearDown(self):
        self.inst.close()

    def serve_fails(self):
        r = subprocess.run([AXON, "--config", self.inst.config, "serve"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    def test_init_writes_config_cert_and_store(self):
        for p in ("axon.toml", "tls/cert.pem", "tls/key.pem", "data"):
            self.assertTrue(os.path.exists(os.path.join(self.inst.dir, p)), p)
        self.assertEqual(os.stat(os.path.join(self.inst.dir, "tls/key.pem")).st_mode & 0o077, 0)
        text = open(self.inst.config).read()
        self.assertIn(f"port = {25 + self.inst.offset}", text)
        self.assertIn(f"port = {143 + self.inst.offset}", text)
        self.assertIn("#", text)  # commented
        r = axon("init", self.inst.dir, "--domain", DOMAIN, check=False)
        self.assertEqual(r.returncode, 2)  # refuses to overwrite

    def test_bad_config_value_names_key(self):
        set_key(self.inst.config, "smtp", "max_recipients", '"many"')
        line = self.serve_fails()
        self.assertIn("axon.toml", line)
        self.assertIn("max_recipients", line)

    def test_unknown_key(self):
        set_key(self.inst.config, "smtp", "max_recipientz", "5")
        self.assertIn("max_recipientz", self.serve_fails())

    def test_missing_certificate(self):
        os.unlink(os.path.join(self.inst.dir, "tls", "cert.pem"))
        self.assertIn("cert.pem", self.serve_fails())

    def test_port_in_use(self):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", self.inst.smtp_port))
            s.listen()
            line = self.serve_fails()
        self.assertIn(str(self.inst.smtp_port), line)

    def test_sigterm_drains_and_exits_zero(self):
        self.inst.start()
        c = socket.create_connection(("127.0.0.1", self.inst.smtp_port))
        c.recv(512)
        self.assertEqual(self.inst.stop(signal.SIGTERM), 0)
        data = c.recv(512)
        self.assertTrue(data.startswith(b"421 4.3.2") or data == b"", data)
        c.close()

    def test_sigterm_lets_a_message_in_transfer_finish(self):
        self.inst.start()
        alice = f"alice@{DOMAIN}"
        subject = "drain-" + uuid.uuid4().hex
        c = RawSmtp(self.inst.smtp_port)
        self.assertTrue(c.reply().startswith("220"))
        c.cmd("EHLO drain.example.net")
        self.assertTrue(c.cmd("MAIL FROM:<s@example.net>").startswith("250"))
        self.assertTrue(c.cmd(f"RCPT TO:<{alice}>").startswith("250"))
        self.assertTrue(c.cmd("DATA").startswith("354"))
        c.send(f"Subject: {subject}\r\n\r\nfirst half\r\n")
        idle = RawSmtp(self.inst.smtp_port)  # a second session, between commands
        self.assertTrue(idle.reply().startswith("220"))
        time.sleep(0.2)
        self.inst.proc.send_signal(signal.SIGTERM)
        t0 = time.time()
        self.assertTrue(idle.reply().startswith("421 4.3.2"))  # at once
        self.assertLess(time.time() - t0, 5)
        self.assertTrue(idle.closed())
        time.sleep(0.5)
        c.send("second half\r\n.\r\n")  # the transfer in progress may finish
        self.assertTrue(c.reply().startswith("250 2.0.0 Ok: queued as"))
        self.assertTrue(c.reply().startswith("421 4.3.2"))
        self.assertTrue(c.closed())
        self.assertEqual(self.inst.proc.wait(timeout=20), 0)
        self.assertEqual(self.inst.stop(), 0)
        self.inst.start()
        self.assertTrue(self.inst.wait_inbox(alice, 1))
        [m] = [m for m in self.inst.messages() if subject.encode() in m]
        self.assertIn(b"\r\n\r\nfirst half\r\nsecond half\r\n", m)

    def test_admin_commands_while_running(self):
        self.inst.start()
        cli = self.inst.cli
        cli("domain", "add", "example.net")
        self.assertIn("example.net", cli("domain", "list").stdout.split())
        self.inst.add_user("carol@example.net", "pw-carol")
        self.assertIn("carol@example.net", cli("user", "list").stdout.split())
        # The running server accepts mail for the new user within a couple of seconds.
        deadline = time.time() + 10
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:
                    s.sendmail("x@example.com", ["carol@example.net"], "Subject: hi\r\n\r\nhi\r\n")
                break
            except smtplib.SMTPRecipientsRefused:
                self.assertLess(time.time(), deadline, "new user not picked up by the running server")
                time.sleep(0.2)
        self.assertTrue(self.inst.wait_inbox("carol@example.net", 1))
        boxes = json.loads(cli("mailbox", "ls", "carol@example.net", "--json").stdout)
        self.assertEqual({b["name"] for b in boxes} >= {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"}, True)
        self.assertEqual(set(boxes[0].keys()), {"name", "messages", "unseen", "bytes"})
        plain = cli("mailbox", "ls", "carol@example.net").stdout
        self.assertIn("INBOX", plain)
        cli("user", "passwd", "carol@example.net", "--password-stdin", input="new-pw\n")
        r = cli("domain", "del", "example.net", check=False)
        self.assertNotEqual(r.returncode, 0)  # still has an account
        cli("user", "del", "carol@example.net")
        self.assertNotIn("carol@example.net", cli("user", "list").stdout.split())
        cli("domain", "del", "example.net")
        self.assertEqual(cli("user", "add", "dave@nowhere.test", "--password-stdin", input="x\n",
                             check=False).returncode, 1)
        self.assertEqual(cli("user", "add", "not-an-address", "--password-stdin", input="x\n",
                             check=False).returncode, 2)
        cli("alias", "add", f"postmaster@{DOMAIN}", f"alice@{DOMAIN}")
        self.assertIn(f"postmaster@{DOMAIN} alice@{DOMAIN}", cli("alias", "list").stdout)
        cli("alias", "del", f"postmaster@{DOMAIN}")
        self.assertNotIn("postmaster", cli("alias", "list").stdout)

    def test_password_is_argon2id_hash_not_plaintext(self):
        import sqlite3
        db = sqlite3.connect(os.path.join(self.inst.dir, "data", "axon.db"))
        blob = "\n".join(str(r) for t in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                         for r in db.execute(f"SELECT * FROM {t[0]}"))
        db.close()
        self.assertIn("$argon2id$", blob)
        self.assertNotIn("pw-alice", blob)


if __name__ == "__main__":
    unittest.main()
