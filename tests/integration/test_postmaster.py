"""postmaster (RFC 5321 §4.5.1, §4.1.1.3) and abuse (RFC 2142) are accepted for every served domain with no alias,
and land in the right account's INBOX: directory.postmaster when set, else the domain's first account; an alias or
account of that name overrides the default."""
import smtplib
import time
import unittest

from harness import DOMAIN, AxonTestCase, Instance

ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"


class Mixin:
    def rcpt(self, rcpt):
        """The reply to RCPT TO:<rcpt>, and when accepted the message is sent."""
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=10) as s:
            s.ehlo("client.example.com")
            s.mail("sender@example.com")
            code, text = s.rcpt(rcpt)
            if code == 250:
                s.data(f"Subject: to {rcpt}\r\n\r\nhello\r\n")
            return code, text.decode()

    def assert_lands(self, rcpt, account, others=()):
        counts = {a: self.inst.inbox_count(a) for a in (account,) + tuple(others)}
        code, text = self.rcpt(rcpt)
        self.assertEqual(code, 250, f"RCPT TO:<{rcpt}>: {code} {text}")
        self.assertTrue(self.inst.wait_inbox(account, counts[account] + 1), f"{rcpt} not in {account}")
        for a in others:
            self.assertEqual(self.inst.inbox_count(a), counts[a], f"{rcpt} also reached {a}")

    def change(self, *args):
        """A CLI change, then the running server's reload of its directory snapshot (it polls every second)."""
        before = self.inst.read_log().count("directory reloaded")
        self.inst.cli(*args)
        deadline = time.time() + 10
        while self.inst.read_log().count("directory reloaded") == before:
            self.assertLess(time.time(), deadline, "the server did not reload its directory")
            time.sleep(0.1)


class DefaultPostmaster(Mixin, AxonTestCase):
    def test_bare_postmaster_goes_to_the_first_account(self):
        self.assert_lands("Postmaster", ALICE, others=(BOB,))
        self.assert_lands("postmaster", ALICE, others=(BOB,))

    def test_postmaster_and_abuse_of_the_domain_any_case(self):
        for rcpt in (f"POSTMASTER@{DOMAIN}", f"postmaster@{DOMAIN}", f"abuse@{DOMAIN}", f"Abuse@{DOMAIN.upper()}"):
            with self.subTest(rcpt=rcpt):
                self.assert_lands(rcpt, ALICE, others=(BOB,))

    def test_an_alias_overrides_then_the_default_returns(self):
        self.change("alias", "add", f"abuse@{DOMAIN}", BOB)
        try:
            self.assert_lands(f"abuse@{DOMAIN}", BOB, others=(ALICE,))
            self.assert_lands(f"postmaster@{DOMAIN}", ALICE, others=(BOB,))  # only abuse@ was overridden
        finally:
            self.change("alias", "del", f"abuse@{DOMAIN}")
        self.assert_lands(f"abuse@{DOMAIN}", ALICE, others=(BOB,))

    def test_a_domain_without_accounts_uses_the_first_account(self):
        self.change("domain", "add", "example.net")
        try:
            self.assert_lands("postmaster@example.net", ALICE, others=(BOB,))
            self.assert_lands("abuse@example.net", ALICE, others=(BOB,))
            code, _ = self.rcpt("carol@example.net")
            self.assertEqual(code, 550)
        finally:
            self.change("domain", "del", "example.net")


class ConfiguredPostmaster(Mixin, AxonTestCase):
    settings = {("directory", "postmaster"): f'"{BOB}"'}

    def test_everything_goes_to_the_configured_postmaster(self):
        for rcpt in ("Postmaster", f"POSTMASTER@{DOMAIN}", f"abuse@{DOMAIN}"):
            with self.subTest(rcpt=rcpt):
                self.assert_lands(rcpt, BOB, others=(ALICE,))
        code, _ = self.rcpt(f"carol@{DOMAIN}")
        self.assertEqual(code, 550)  # nothing else changes


class NoAccountYet(Mixin, unittest.TestCase):
    """No account at all: nobody to deliver to, as Postfix's virtual domains without one: 550 5.1.1."""

    def setUp(self):
        self.inst = Instance(users=()).start()

    def tearDown(self):
        self.inst.close()

    def test_postmaster_is_refused_permanently(self):
        for rcpt in ("Postmaster", f"postmaster@{DOMAIN}", f"abuse@{DOMAIN}"):
            with self.subTest(rcpt=rcpt):
                code, text = self.rcpt(rcpt)
                self.assertEqual(code, 550, text)
                self.assertIn("5.1.1", text)


if __name__ == "__main__":
    unittest.main()
