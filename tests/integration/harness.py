"""Runs a real `axon serve` in a temporary instance on loopback, for the integration tests.

Each Instance gets its own temporary folder and a random port offset, so tests never collide with a system mail
server or each other. Only the standard library is used (python3's smtplib, ssl, socket, subprocess).
"""
import atexit
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

AXON = os.environ.get("AXON_BIN", os.path.join(os.path.dirname(__file__), "../../build/src/app/axon"))
DOMAIN = "example.org"
# What ASan, LSan, UBSan and TSan print (UBSan always on stderr; the others there unless given a log_path).
SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer|runtime error: ")


def free_offset(ports=(25,)):
    """A port offset whose ports are free on 127.0.0.1."""
    for _ in range(200):
        off = random.randrange(20000, 40000)
        ok = True
        for p in ports:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p + off))
                except OSError:
                    ok = False
                    break
        if ok:
            return off
    raise RuntimeError("no free port offset")


def axon(*args, config=None, input=None, check=True):
    cmd = [AXON] + (["--config", config] if config else []) + list(args)
    r = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def set_key(path, section, key, value):
    """Sets section.key in axon.toml to a TOML literal (text edit: keeps the comments)."""
    text = open(path).read()
    m = re.search(r"^\[" + re.escape(section) + r"\]\s*$", text, re.M)
    if not m:
        text += f"\n[{section}]\n{key} = {value}\n"
    else:
        start = m.end()
        nxt = re.search(r"^\[", text[start:], re.M)
        end = start + nxt.start() if nxt else len(text)
        body = text[start:end]
        pat = re.compile(r"^" + re.escape(key) + r"\s*=.*$", re.M)
        if pat.search(body):
            body = pat.sub(f"{key} = {value}", body, count=1)
        else:
            body = f"\n{key} = {value}" + body
        text = text[:start] + body + text[end:]
    open(path, "w").write(text)


_started = []  # every Instance started in this process: a test that fails before close() leaves no server behind


@atexit.register
def _kill_leftovers():
    for inst in _started:
        if inst.proc and inst.proc.poll() is None:
            inst.proc.kill()
            inst.proc.wait()


class Instance:
    # The readers' listeners that `axon init` turns on; an instance serves them only when its settings say so, so
    # that a test binds no port it does not use (fewer collisions between instances running side by side).
    READERS = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}

    def __init__(self, settings=None, users=("alice", "bob"), ports=(25,)):
        """ports: the standard ports (before the offset) that must be free on loopback; the readers' ports enabled
        in settings are added."""
        settings = dict(settings or {})
        enabled = [sec for sec in self.READERS if settings.get((sec, "enabled")) == "true"]
        ports = tuple(sorted(set(ports) | {self.READERS[sec] for sec in enabled}))
        self.dir = tempfile.mkdtemp(prefix="axon-it-")
        self.offset = free_offset(ports)
        self.smtp_port = 25 + self.offset
        self.config = os.path.join(self.dir, "axon.toml")
        axon("init", self.dir, "--domain", DOMAIN, "--listen", "127.0.0.1", "--port-offset", str(self.offset))
        for sec in self.READERS:
            if sec not in enabled:
                set_key(self.config, sec, "enabled", "false")
        for (section, key), value in settings.items():
            set_key(self.config, section, key, value)
        self.passwords = {}
        for u in users:
            self.add_user(f"{u}@{DOMAIN}", f"pw-{u}")
        self.proc = None
        self.log_path = os.path.join(self.dir, "serve.log")

    def add_user(self, address, password):
        axon("user", "add", address, "--password-stdin", config=self.config, input=password + "\n")
        self.passwords[address] = password

    def cli(self, *args, **kw):
        return axon(*args, config=self.config, **kw)

    def start(self, wait=True, args=None, env=None):
        """Runs `axon serve --config FILE` (the documented form; the CLI helpers above put --config first, so both
        orders run in every test), or `args` when given; env: extra environment variables for the server."""
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([AXON] + (args or ["serve", "--config", self.config]), stdout=self.log,
                                     stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
        _started.append(self)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"axon serve exited {self.proc.returncode}:\n{self.read_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.smtp_port), timeout=1) as s:
                    s.settimeout(5)
                    if s.recv(512).startswith(b"220"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("axon did not start:\n" + self.read_log())

    def read_log(self):
        try:
            return open(self.log_path).read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        if self.proc:
            self.log.close()
        self.proc = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def close(self):
        """Stops the server and removes the instance. Fails when `serve` did not exit 0 or wrote a sanitizer report
        (scripts/sanitize.sh): a leak at exit or an error in a server no test asks about would go unseen."""
        rc = self.stop()
        log = self.read_log()
        shutil.rmtree(self.dir, ignore_errors=True)
        if rc not in (None, 0) or SANITIZER_REPORT.search(log):
            raise AssertionError(f"axon serve exited {rc}:\n{log[-6000:]}")

    # -- the mailstore, seen through the CLI and the message files --
    def mailboxes(self, address):
        return {m["name"]: m for m in json.loads(self.cli("mailbox", "ls", address, "--json").stdout)}

    def inbox_count(self, address):
        return self.mailboxes(address)["INBOX"]["messages"]

    def wait_inbox(self, address, n, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.inbox_count(address) >= n:
                return True
            time.sleep(0.05)
        return False

    def tokens(self):
        """The X-Token of every stored message, in a list (duplicates stay visible)."""
        out = []
        for m in self.messages():
            mm = re.search(rb"X-Token: ([0-9a-f]+)", m)
            if mm:
                out.append(mm.group(1).decode())
        return out

    def delivered_tokens(self):
        """The X-Token of every message the store holds a row for (its file named by the row). A file without a row
        (a delivery cut short before its transaction committed) was never delivered. Read while the server is down."""
        import sqlite3
        db = sqlite3.connect(f"file:{os.path.join(self.dir, 'data', 'axon.db')}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT mb.account_id, m.file FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id").fetchall()
        finally:
            db.close()
        out = []
        for account, name in rows:
            try:
                with open(os.path.join(self.dir, "data", "mail", str(account), name), "rb") as fh:
                    mm = re.search(rb"X-Token: ([0-9a-f]+)", fh.read())
            except OSError:
                continue
            if mm:
                out.append(mm.group(1).decode())
        return out

    def peak_rss_kib(self):
        """The server's peak resident set (VmHWM) in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def messages(self):
        """Every stored message file's bytes, for content checks."""
        out = []
        root = os.path.join(self.dir, "data", "mail")
        for dirpath, _, files in os.walk(root):
            for f in files:
                with open(os.path.join(dirpath, f), "rb") as fh:
                    out.append(fh.read())
        return out


class RawSmtp:
    """A byte-level SMTP client for pipelining, BDAT and malformed input."""

    def __init__(self, port, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """One whole (possibly multi-line) reply as text; '' on EOF."""
        lines = []
        while True:
            while b"\n" not in self.buf:
                chunk = self.s.recv(65536)
                if not chunk:
                    return "\n".join(lines)
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.rstrip(b"\r").decode()
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return "\n".join(lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def closed(self, timeout=5):
        self.s.settimeout(timeout)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.s.close()


class AxonTestCase(unittest.TestCase):
    settings = None

    @classmethod
    def setUpClass(cls):
        cls.inst = Instance(cls.settings).start()

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()
