"""Inbound SMTP against a running axon with real clients: smtplib, swaks, curl, and raw sockets."""
import os
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
import unittest
import uuid

from harness import AxonTestCase, DOMAIN, RawSmtp

ALICE = f"alice@{DOMAIN}"
BOB = f"bob@{DOMAIN}"


def message(subject, to=ALICE, body="Hello.\r\n"):
    return (f"From: sender@example.net\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.net>\r\n\r\n{body}")


class InboundSmtp(AxonTestCase):
    settings = {("smtp", "transcripts"): "true"}

    def stored_with(self, marker):
        return [m for m in self.inst.messages() if marker.encode() in m]

    def wait_stored(self, marker, n=1, timeout=5):
        deadline = time.time() + timeout
        while len(self.stored_with(marker)) < n and time.time() < deadline:
            time.sleep(0.05)
        return self.stored_with(marker)

    def deliver_smtplib(self, subject, rcpts=(ALICE,), **kw):
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:
            s.ehlo("client.example.net")
            return s.sendmail("sender@example.net", list(rcpts), message(subject, **kw))

    def test_smtplib_delivers_into_inbox_with_headers(self):
        before = self.inst.inbox_count(ALICE)
        subject = "smtplib-" + uuid.uuid4().hex
        self.assertEqual(self.deliver_smtplib(subject), {})
        self.assertTrue(self.inst.wait_inbox(ALICE, before + 1))
        [m] = self.stored_with(subject)
        text = m.decode()
        self.assertTrue(text.startswith("Return-Path: <sender@example.net>\r\nReceived: from client.example.net"))
        self.assertIn(f"by mail.{DOMAIN}", text)
        self.assertIn(f"for <{ALICE}>", text)
        self.assertIn("\r\n\r\nHello.\r\n", text)
        boxes = self.inst.mailboxes(ALICE)
        for name in ("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"):
            self.assertIn(name, boxes)
        self.assertGreaterEqual(boxes["INBOX"]["unseen"], 1)
        self.assertGreater(boxes["INBOX"]["bytes"], len(m) - 1)

    def test_ehlo_advertises_extensions(self):
        c = RawSmtp(self.inst.smtp_port)
        self.assertTrue(c.reply().startswith("220 "))
        r = c.cmd("EHLO client.example.net")
        for ext in ("PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING", "DSN",
                    "STARTTLS"):
            self.assertIn(ext, r)
        self.assertTrue(c.cmd("VRFY alice").startswith("252"))
        self.assertTrue(c.cmd("HELP").startswith("214"))
        self.assertTrue(c.cmd("NOOP").startswith("250"))
        self.assertTrue(c.cmd("QUIT").startswith("221"))
        c.close()

    def test_swaks(self):
        if not shutil.which("swaks"):
            self.skipTest("swaks not installed")
        subject = "swaks-" + uuid.uuid4().hex
        r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(self.inst.smtp_port), "--to", BOB,
                            "--from", "sender@example.net", "--helo", "swaks.example.net", "--header",
                            f"Subject: {subject}", "--pipeline"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("250 2.0.0", r.stdout)
        self.assertTrue(self.inst.wait_inbox(BOB, 1))
        self.assertEqual(len(self.stored_with(subject)), 1)

    def test_curl(self):
        subject = "curl-" + uuid.uuid4().hex
        with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False) as f:
            f.write(message(subject).replace("\r\n", "\n"))
        try:
            r = subprocess.run(["curl", "-sS", f"smtp://127.0.0.1:{self.inst.smtp_port}", "--mail-from",
                                "sender@example.net", "--mail-rcpt", ALICE, "--upload-file", f.name],
                               capture_output=True, text=True, timeout=30)
        finally:
            os.unlink(f.name)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_stored(subject)
        [m] = self.stored_with(subject)
        self.assertIn(b"\r\n\r\nHello.\r\n", m)  # curl sent LF; stored with CRLF

    def test_starttls_and_received_header_records_tls(self):
        subject = "tls-" + uuid.uuid4().hex
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:
            s.ehlo("tls.example.net")
            s.starttls(context=ctx)
            code, text = s.ehlo("tls.example.net")
            self.assertEqual(code, 250)
            self.assertNotIn(b"STARTTLS", text)  # not offered twice
            s.sendmail("sender@example.net", [ALICE], message(subject))
        self.wait_stored(subject)
        [m] = self.stored_with(subject)
        self.assertRegex(m.decode(), r"with ESMTPS")
        self.assertRegex(m.decode(), r"TLSv1\.[23]")

    def test_pipelining_one_write(self):
        subject = "pipe-" + uuid.uuid4().hex
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        c.cmd("EHLO pipe.example.net")
        c.send("MAIL FROM:<sender@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
               "RCPT TO:<bob@example.org>\r\nDATA\r\n")
        self.assertTrue(c.reply().startswith("250"))
        self.assertTrue(c.reply().startswith("250"))
        self.assertTrue(c.reply().startswith("550 5.1.1"))
        self.assertTrue(c.reply().startswith("250"))
        self.assertTrue(c.reply().startswith("354"))
        c.send(message(subject) + ".\r\nQUIT\r\n")
        self.assertTrue(c.reply().startswith("250 2.0.0"))
        self.assertTrue(c.reply().startswith("221"))
        c.close()
        self.wait_stored(subject, 2)
        self.assertEqual(len(self.stored_with(subject)), 2)

    def test_bdat_chunks(self):
        subject = "bdat-" + uuid.uuid4().hex
        body = message(subject)
        half = len(body) // 2
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        c.cmd("EHLO bdat.example.net")
        c.send(f"MAIL FROM:<sender@example.net> BODY=BINARYMIME\r\nRCPT TO:<{ALICE}>\r\n")
        self.assertTrue(c.reply().startswith("250"))
        self.assertTrue(c.reply().startswith("250"))
        c.send(f"BDAT {half}\r\n" + body[:half])
        self.assertTrue(c.reply().startswith("250"))
        c.send(f"BDAT {len(body) - half} LAST\r\n" + body[half:] + "NOOP\r\n")
        self.assertTrue(c.reply().startswith("250 2.0.0"))
        self.assertTrue(c.reply().startswith("250"))  # the pipelined NOOP after the chunk
        c.close()
        self.wait_stored(subject)
        self.assertEqual(len(self.stored_with(subject)), 1)

    def test_unknown_user_and_relay_denied(self):
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        c.cmd("EHLO x.example.net")
        self.assertTrue(c.cmd("MAIL FROM:<sender@example.net>").startswith("250"))
        self.assertTrue(c.cmd("RCPT TO:<nobody@example.org>").startswith("550 5.1.1"))
        self.assertTrue(c.cmd("RCPT TO:<someone@elsewhere.net>").startswith("554 5.7.1"))
        self.assertTrue(c.cmd("DATA").startswith("554"))  # no valid recipient
        c.close()

    def test_aliases_catch_all_and_plus_addressing(self):
        self.inst.cli("alias", "add", f"team@{DOMAIN}", ALICE, BOB)
        # The running server picks up the change without a restart.
        subject = "alias-" + uuid.uuid4().hex
        for _ in range(60):
            try:
                self.deliver_smtplib(subject, rcpts=[f"team@{DOMAIN}"])
                break
            except smtplib.SMTPRecipientsRefused:
                time.sleep(0.1)
        plus = "plus-" + uuid.uuid4().hex
        self.deliver_smtplib(plus, rcpts=[f"alice+lists@{DOMAIN}"])
        self.inst.cli("alias", "add", f"@{DOMAIN}", BOB)
        catch = "catch-" + uuid.uuid4().hex
        for _ in range(60):
            try:
                self.deliver_smtplib(catch, rcpts=[f"whoever@{DOMAIN}"])
                break
            except smtplib.SMTPRecipientsRefused:
                time.sleep(0.1)
        self.inst.cli("alias", "del", f"@{DOMAIN}")
        # Wait until the running server has dropped the catch-all again (other tests expect 550 5.1.1).
        for _ in range(60):
            c = RawSmtp(self.inst.smtp_port)
            c.reply()
            c.cmd("EHLO x.example.net")
            c.cmd("MAIL FROM:<s@example.net>")
            refused = c.cmd("RCPT TO:<nobody@example.org>").startswith("550")
            c.close()
            if refused:
                break
            time.sleep(0.1)
        self.assertEqual(len(self.wait_stored(subject, 2)), 2)
        self.assertEqual(len(self.wait_stored(plus)), 1)
        self.assertEqual(len(self.wait_stored(catch)), 1)

    def test_smuggled_end_of_data_is_not_end(self):
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        c.cmd("EHLO smuggle.example.net")
        c.cmd("MAIL FROM:<sender@example.net>")
        c.cmd(f"RCPT TO:<{ALICE}>")
        self.assertTrue(c.cmd("DATA").startswith("354"))
        # "\n.\r\n" and "\r\n.\n" must not end the data; the injected MAIL FROM is message text.
        c.send("Subject: smuggle\r\n\r\nhello\n.\r\nMAIL FROM:<evil@example.net>\r\n"
               "RCPT TO:<bob@example.org>\r\nDATA\r\n\r\n.\n")
        c.send("\r\n.\r\n")
        r = c.reply()
        # Bare LF is rejected by default (bare_lf = "reject"); either way only ONE reply comes for all of it.
        self.assertRegex(r, r"^(554 5\.6\.0|250 2\.0\.0)")
        self.assertTrue(c.cmd("NOOP").startswith("250"))
        c.close()

    def test_too_many_hops_is_a_loop(self):
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        c.cmd("EHLO loop.example.net")
        c.cmd("MAIL FROM:<sender@example.net>")
        c.cmd(f"RCPT TO:<{ALICE}>")
        c.cmd("DATA")
        hops = "".join(f"Received: from hop{i}.example.net by x; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                       for i in range(51))
        r = c.cmd(hops + "Subject: loop\r\n\r\nx\r\n.")
        self.assertTrue(r.startswith("554 5.4.6"), r)
        c.close()

    def test_transcripts_written_per_peer_and_suffixed_in(self):
        self.deliver_smtplib("transcript-" + uuid.uuid4().hex)
        root = os.path.join(self.inst.dir, "data", "transcripts", "127.0.0.1")
        for _ in range(50):
            if os.path.isdir(root) and os.listdir(root):
                break
            time.sleep(0.05)
        files = os.listdir(root)
        self.assertTrue(files and all(f.endswith(".IN") for f in files))
        text = "".join(open(os.path.join(root, f)).read() for f in files)
        self.assertIn("C: MAIL FROM:<sender@example.net>", text)
        self.assertIn("S: 250", text)

    def test_transcripts_hold_no_message_data_and_are_private(self):
        marker = "UNIQUE-BODY-LINE-" + uuid.uuid4().hex
        data = message("transcript-data-" + uuid.uuid4().hex, body=f"{marker}\r\n.{marker}\r\n") + ".\r\n"
        chunk = message("transcript-bdat-" + uuid.uuid4().hex, body=f"{marker}-bdat\r\n")
        c = RawSmtp(self.inst.smtp_port)
        c.reply()
        c.cmd("EHLO transcript.example.net")
        c.cmd("MAIL FROM:<sender@example.net>")
        c.cmd(f"RCPT TO:<{ALICE}>")
        self.assertTrue(c.cmd("DATA").startswith("354"))
        c.send(data)
        self.assertTrue(c.reply().startswith("250 2.0.0"))
        c.cmd("MAIL FROM:<sender@example.net>")
        c.cmd(f"RCPT TO:<{ALICE}>")
        c.send(f"BDAT {len(chunk)} LAST\r\n{chunk}")
        self.assertTrue(c.reply().startswith("250 2.0.0"))
        self.assertTrue(c.cmd("QUIT").startswith("221"))  # logged before the reply is sent
        c.close()
        root = os.path.join(self.inst.dir, "data", "transcripts")
        text = ""
        self.assertEqual(os.stat(root).st_mode & 0o777, 0o700)
        for dirpath, dirs, files in os.walk(root):
            for d in dirs:
                self.assertEqual(os.stat(os.path.join(dirpath, d)).st_mode & 0o777, 0o700, d)
            for f in files:
                path = os.path.join(dirpath, f)
                self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, path)
                with open(path) as fh:
                    text += fh.read()
        self.assertNotIn(marker, text)
        self.assertIn(f"C: [{len(data)} octets of message data]\n", text)
        self.assertIn(f"C: BDAT {len(chunk)} LAST\nC: [{len(chunk)} octets of message data]\nS: 250 2.0.0", text)
        self.assertIn("C: EHLO transcript.example.net\n", text)
        # The message itself was delivered intact.
        self.assertEqual(len(self.wait_stored(marker, 2)), 2)


if __name__ == "__main__":
    unittest.main()
