"""No message that got 250 is ever lost.

- Senders run while the server is SIGKILLed again and again (20 times in one run); after the last restart every
  acknowledged message is in the mailbox exactly once (delivery is idempotent by queue id).
- A failed fsync (injected with an LD_PRELOAD shim) is never retried into success: the server stops with status
  1 without releasing spool records, and the restart delivers every acknowledged message.
- A spool segment damaged in the middle after a SIGKILL: the intact records after the damage are delivered and
  the segment is kept in spool/damaged/.
"""
import glob
import json
import os
import re
import smtplib
import struct
import threading
import time
import unittest
import uuid

from harness import DOMAIN, Instance

ALICE = f"alice@{DOMAIN}"
FAILSYNC = os.environ.get("AXON_FAILSYNC", "")


class Senders:
    """Threads sending small messages with a unique X-Token each; `acked` holds the tokens that got 250."""

    def __init__(self, inst, n=6):
        self.inst, self.acked, self.lock, self.stop = inst, [], threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.run) for _ in range(n)]
        for t in self.threads:
            t.start()

    def run(self):
        while not self.stop.is_set():
            try:
                with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=5) as s:
                    s.ehlo("killer.example.net")
                    while not self.stop.is_set():
                        token = uuid.uuid4().hex
                        msg = f"Subject: {token}\r\nX-Token: {token}\r\n\r\n" + "body line\r\n" * 50
                        s.sendmail("sender@example.net", [ALICE], msg)
                        with self.lock:  # sendmail returned: the server said 250
                            self.acked.append(token)
            except (OSError, smtplib.SMTPException):
                time.sleep(0.05)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()
        return list(self.acked)


def check_all_delivered(test, inst, acked, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline and inst.inbox_count(ALICE) < len(acked):
        time.sleep(0.2)
    tokens = inst.tokens()
    stored = set(tokens)
    missing = [t for t in acked if t not in stored]
    duplicates = len(tokens) - len(stored)
    print(f"acknowledged={len(acked)} stored={len(tokens)} missing={len(missing)} duplicates={duplicates}")
    test.assertEqual(missing, [])
    test.assertEqual(duplicates, 0)
    test.assertEqual(inst.inbox_count(ALICE), len(tokens))


def spool_records(path):
    """(offset, queue id, token) of every record of a spool segment (record.h's format: a 32-octet preamble, then
    records)."""
    with open(path, "rb") as f:
        data = f.read()
    out, pos = [], 32
    while pos + 32 <= len(data) and data[pos:pos + 4] == b"AXS2":
        env_len, data_len = struct.unpack_from("<IQ", data, pos + 4)
        env = json.loads(data[pos + 32:pos + 32 + env_len])
        body = data[pos + 32 + env_len:pos + 32 + env_len + data_len]
        m = re.search(rb"X-Token: ([0-9a-f]+)", body)
        out.append((pos, env["id"], m.group(1).decode() if m else None))
        pos += 32 + env_len + data_len
    return out


class Durability(unittest.TestCase):
    def test_sigkill_loses_no_acknowledged_message(self):
        inst = Instance(users=("alice",)).start()
        senders = Senders(inst)
        try:
            for _ in range(20):
                time.sleep(0.6)
                inst.kill()
                inst.start()
            time.sleep(1)
        finally:
            acked = senders.finish()
        inst.kill()  # a last crash, then a clean start that must recover everything
        inst.start()
        self.assertGreater(len(acked), 100)
        check_all_delivered(self, inst, acked)
        inst.close()

    def failed_sync(self, calls):
        self.assertTrue(FAILSYNC and os.path.exists(FAILSYNC), "the failsync shim was not built")
        inst = Instance(users=("alice",))
        trigger = os.path.join(inst.dir, "trigger")
        env = {"LD_PRELOAD": FAILSYNC, "AXON_FAILSYNC_TRIGGER": trigger,
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
        inst.start(env=env)
        senders = Senders(inst, n=4)
        time.sleep(1.5)
        with open(trigger, "w") as f:
            f.write(calls)
        try:
            rc = inst.proc.wait(timeout=30)  # the server stops by itself
        finally:
            acked = senders.finish()
        inst.stop()
        log = inst.read_log()
        self.assertEqual(rc, 1, log[-3000:])
        self.assertIn("restart", log)
        self.assertGreater(len(acked), 20)
        os.unlink(trigger)
        inst.start()  # without the shim: the replay delivers everything acknowledged
        check_all_delivered(self, inst, acked)
        inst.close()

    def test_failed_store_sync_stops_and_replays(self):
        self.failed_sync("syncfs")

    def test_failed_spool_fdatasync_stops_and_replays(self):
        self.failed_sync("fdatasync")

    def test_damaged_segment_after_sigkill(self):
        inst = Instance(users=("alice",)).start()
        senders = Senders(inst)
        target = None
        try:
            for _ in range(10):  # until the newest segment holds enough records to damage one in the middle
                time.sleep(0.8)
                inst.kill()
                segs = sorted(glob.glob(os.path.join(inst.dir, "data", "spool", "*.seg")))
                recs = spool_records(segs[-1]) if segs else []
                if len(recs) >= 6:
                    target = (segs[-1], recs)
                    break
                inst.start()
        finally:
            acked = senders.finish()
        self.assertIsNotNone(target, "no segment with enough records")
        seg, recs = target
        # Damage a record that was already delivered (so no acknowledged mail is really destroyed) and that has
        # records after it: flip an octet of its envelope. Delivered means a row in the store: a message file alone
        # may be from a delivery whose transaction the kill cut short, and the spool's replay is its only copy.
        stored = set(inst.delivered_tokens())
        cands = [r for r in recs[1:-2] if r[2] in stored]
        self.assertTrue(cands, "no delivered record in the middle")
        off = cands[len(cands) // 2][0]
        with open(seg, "r+b") as f:
            f.seek(off + 40)
            b = f.read(1)
            f.seek(off + 40)
            f.write(bytes([b[0] ^ 0x5A]))
        after = [r[2] for r in recs if r[0] > off]
        inst.start()
        check_all_delivered(self, inst, acked)
        for t in after:  # every record after the damage reached the mailbox
            self.assertIn(t, set(inst.tokens()))
        self.assertIn("damaged record", inst.read_log())
        deadline = time.time() + 10
        damaged = os.path.join(inst.dir, "data", "spool", "damaged", os.path.basename(seg))
        while time.time() < deadline and not os.path.exists(damaged):
            time.sleep(0.1)
        self.assertTrue(os.path.exists(damaged))
        self.assertFalse(os.path.exists(seg))
        inst.close()


class UnreadableSpool(unittest.TestCase):
    def test_segment_that_cannot_be_read_is_kept_and_read_again(self):
        """EIO while replaying (injected with the shim): the segment is neither cut nor moved, the server serves,
        and the next start delivers every acknowledged message."""
        self.assertTrue(FAILSYNC and os.path.exists(FAILSYNC), "the failsync shim was not built")
        inst = Instance(users=("alice",)).start()
        senders = Senders(inst)
        left = []
        try:
            for _ in range(10):  # until a SIGKILL leaves a segment with records behind
                time.sleep(0.8)
                inst.kill()
                left = [(p, os.path.getsize(p)) for p in glob.glob(os.path.join(inst.dir, "data", "spool", "*.seg"))
                        if spool_records(p)]
                if left:
                    break
                inst.start()
        finally:
            acked = senders.finish()
        self.assertTrue(left, "no segment with records was left behind")
        trigger = os.path.join(inst.dir, "trigger")
        with open(trigger, "w") as f:
            f.write("pread-seg")
        inst.start(env={"LD_PRELOAD": FAILSYNC, "AXON_FAILSYNC_TRIGGER": trigger,
                        "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"})
        self.assertIn("read errors", inst.read_log())
        for path, size in left:  # neither cut nor moved
            self.assertEqual(os.path.getsize(path), size)
        self.assertEqual(inst.stop(), 0)
        os.unlink(trigger)
        inst.start()
        check_all_delivered(self, inst, acked)
        inst.close()


if __name__ == "__main__":
    unittest.main()
