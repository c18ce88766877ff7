"""TLS through the real driver: the Received: field a STARTTLS session leaves (python's smtplib), and no
client-initiated TLS 1.2 renegotiation (openssl s_client's "R" command)."""
import os
import re
import smtplib
import ssl
import subprocess
import time
import unittest
import uuid

from harness import DOMAIN, AxonTestCase, Instance

ALICE = f"alice@{DOMAIN}"


def unverified():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class StartTlsReceived(AxonTestCase):
    def test_received_names_version_and_cipher_once(self):
        subject = "tls-" + uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:
            s.ehlo("tls.example.net")
            s.starttls(context=unverified())
            s.ehlo("tls.example.net")
            cipher = s.sock.cipher()  # (name, version, bits) as the client saw it
            s.sendmail("sender@example.net", [ALICE], f"Subject: {subject}\r\n\r\nHello.\r\n")
        deadline = time.time() + 10
        stored = []
        while not stored and time.time() < deadline:
            stored = [m.decode() for m in self.inst.messages() if subject.encode() in m]
            time.sleep(0.05)
        self.assertEqual(len(stored), 1)
        # Our Received: field is the first one, folded over lines that start with a TAB.
        m = re.search(r"^Received: .*?\r\n(?:\t.*?\r\n)*", stored[0], re.M)
        self.assertIsNotNone(m, stored[0])
        received = m.group(0)
        self.assertEqual(received.count("with cipher"), 1, received)
        self.assertIn(f"\t(using {cipher[1]} with cipher {cipher[0]})\r\n", received)
        self.assertRegex(received, r"\tby \S+ \(Axon\) with ESMTPS for <alice@example\.org>\r\n")


OPENSSL_CONF_ALLOWING_RENEGOTIATION = """openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = ClientRenegotiation
"""


class Renegotiation(unittest.TestCase):
    """OpenSSL 3 refuses client renegotiation by default, but an openssl.cnf may allow it; the server must refuse
    it anyway, so it runs here with a configuration that allows it."""

    @classmethod
    def setUpClass(cls):
        cls.inst = Instance(users=("alice",))
        conf = os.path.join(cls.inst.dir, "openssl.cnf")
        with open(conf, "w") as f:
            f.write(OPENSSL_CONF_ALLOWING_RENEGOTIATION)
        cls.inst.start(env={"OPENSSL_CONF": conf})

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def test_client_renegotiation_is_refused(self):
        p = subprocess.Popen(["openssl", "s_client", "-starttls", "smtp", "-tls1_2", "-crlf", "-connect",
                              f"127.0.0.1:{self.inst.smtp_port}"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for line, pause in ((b"NOOP\n", 1.5), (b"R\n", 1.0), (b"NOOP\n", 1.0)):  # s_client: "R" renegotiates
                p.stdin.write(line)
                p.stdin.flush()
                time.sleep(pause)
            p.stdin.close()
        except BrokenPipeError:
            pass  # s_client gave up after the refusal
        out = p.stdout.read().decode(errors="replace")
        p.stdout.close()
        p.wait(timeout=10)
        self.assertIn("RENEGOTIATING", out)
        before, _, after = out.partition("RENEGOTIATING")
        self.assertIn("250 2.0.0 Ok", before)  # the session worked over TLS 1.2
        self.assertIn("no renegotiation", after)  # the server's no_renegotiation alert (RFC 5746 §4.4)
        self.assertNotIn("250 2.0.0 Ok", after)  # and the session did not go on renegotiated
        self.assertNotEqual(p.returncode, 0)
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:  # still serving
            self.assertEqual(s.noop()[0], 250)


if __name__ == "__main__":
    unittest.main()
