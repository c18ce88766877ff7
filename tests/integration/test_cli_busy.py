"""The CLI beside a busy server: the list commands open the store read-only and take no write lock, so they never
fail with "database is locked" while the server ingests mail (or anything else holds the write lock)."""
import os
import smtplib
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import AXON, DOMAIN, AxonTestCase

ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
LIST_COMMANDS = (["user", "list"], ["domain", "list"], ["alias", "list"], ["mailbox", "ls", ALICE],
                 ["mailbox", "ls", BOB, "--json"])


class BusyServer(AxonTestCase):
    def run_cli(self, args):
        t0 = time.monotonic()
        r = subprocess.run([AXON, "--config", self.inst.config] + args, capture_output=True, text=True, timeout=60)
        return r, time.monotonic() - t0

    def test_list_commands_beside_a_held_write_lock(self):
        # Another writer holds the database's write lock (as the server does during a delivery batch): a command
        # that asked for the lock would wait busy_timeout (5 s) and fail with "database is locked".
        db = sqlite3.connect(os.path.join(self.inst.dir, "data", "axon.db"), isolation_level=None, timeout=10)
        try:
            db.execute("BEGIN IMMEDIATE")
            for args in LIST_COMMANDS:
                with self.subTest(args=args):
                    r, took = self.run_cli(args)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertLess(took, 3, f"{args} waited for the write lock")
            self.assertIn(ALICE, self.run_cli(["user", "list"])[0].stdout.split())
        finally:
            db.execute("ROLLBACK")
            db.close()

    def test_list_commands_during_ingest(self):
        senders, per_sender = 6, 150
        before = {a: self.inst.inbox_count(a) for a in (ALICE, BOB)}
        errors = []

        def send(n):
            try:
                with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                    for i in range(per_sender):
                        body = f"Subject: busy {n}/{i}\r\n\r\n" + "x" * 4000 + "\r\n"
                        s.sendmail("load@example.com", [ALICE, BOB], body)
            except Exception as e:  # reported below, in the test's thread
                errors.append(repr(e))

        threads = [threading.Thread(target=send, args=(n,)) for n in range(senders)]
        for t in threads:
            t.start()
        calls, failures = 0, []
        while any(t.is_alive() for t in threads) or calls < len(LIST_COMMANDS):
            args = LIST_COMMANDS[calls % len(LIST_COMMANDS)]
            r, _ = self.run_cli(args)
            calls += 1
            if r.returncode != 0:
                failures.append(f"{args}: {r.returncode} {r.stderr.strip()}")
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(failures, [], f"{len(failures)} of {calls} CLI calls failed")
        print(f"{calls} CLI calls during ingest", flush=True)
        total = senders * per_sender
        for a in (ALICE, BOB):
            self.assertTrue(self.inst.wait_inbox(a, before[a] + total, timeout=60), a)


if __name__ == "__main__":
    unittest.main()
