"""No message that got 250 is ever lost: senders run while the server is SIGKILLed again and again; after the
last restart every acknowledged message is in the mailbox. Duplicates are counted (delivery is idempotent by
queue id, so none are expected)."""
import re
import smtplib
import threading
import time
import unittest
import uuid

from harness import DOMAIN, Instance

ALICE = f"alice@{DOMAIN}"


class KillNine(unittest.TestCase):
    def test_sigkill_loses_no_acknowledged_message(self):
        inst = Instance(users=("alice",)).start()
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def sender(n):
            while not stop.is_set():
                try:
                    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=5) as s:
                        s.ehlo("killer.example.net")
                        while not stop.is_set():
                            token = uuid.uuid4().hex
                            msg = f"Subject: {token}\r\nX-Token: {token}\r\n\r\n" + "body line\r\n" * 50
                            s.sendmail("sender@example.net", [ALICE], msg)
                            with lock:  # sendmail returned: the server said 250
                                acked.append(token)
                except (OSError, smtplib.SMTPException):
                    time.sleep(0.05)

        threads = [threading.Thread(target=sender, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        try:
            for _ in range(4):
                time.sleep(1.5)
                inst.kill()
                inst.start()
            time.sleep(1.5)
        finally:
            stop.set()
            for t in threads:
                t.join()
        inst.kill()  # a last crash, then a clean start that must recover everything
        inst.start()
        deadline = time.time() + 30
        while time.time() < deadline and inst.inbox_count(ALICE) < len(acked):
            time.sleep(0.2)
        tokens = []
        for m in inst.messages():
            mm = re.search(rb"X-Token: ([0-9a-f]+)", m)
            if mm:
                tokens.append(mm.group(1).decode())
        stored = set(tokens)
        missing = [t for t in acked if t not in stored]
        duplicates = len(tokens) - len(stored)
        print(f"acknowledged={len(acked)} stored={len(tokens)} missing={len(missing)} duplicates={duplicates}")
        self.assertGreater(len(acked), 100)
        self.assertEqual(missing, [])
        self.assertEqual(duplicates, 0)
        self.assertEqual(inst.inbox_count(ALICE), len(tokens))
        inst.close()


if __name__ == "__main__":
    unittest.main()
