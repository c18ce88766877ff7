"""Every command form that README.md and docs/cli.md show, run as written, with the global options (--config/-c,
--help) before and after the command. The forms are read from the two documents: a form documented without a case
here fails the test, and so does a case whose form is no longer documented."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

from harness import AXON, DOMAIN, Instance

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DOCS = ("README.md", "docs/cli.md")
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"


def documented_forms():
    """`axon ...` in inline code and in ```sh blocks of the documents, as written (a path before axon dropped)."""
    forms = set()
    for doc in DOCS:
        text = read(os.path.join(ROOT, doc))
        lines = re.findall(r"`([^`\n]+)`", text)
        for block in re.findall(r"```sh\n(.*?)```", text, re.S):
            lines += [l.split("#")[0] for l in block.splitlines()]
        for line in lines:
            m = re.match(r"\s*(?:\S*/)?axon (.*)", line.replace("\\|", "|"))
            if m:
                forms.add("axon " + m.group(1).strip())
    return forms


def run(args, input=None):
    return subprocess.run([AXON] + args, input=input, capture_output=True, text=True, timeout=60)


# Where the global option goes: documented after the command (`axon serve --config F`), and before it.
ORDERS = {
    "after": lambda cfg, args: args + ["--config", cfg],
    "before": lambda cfg, args: ["--config", cfg] + args,
    "-c after": lambda cfg, args: args + ["-c", cfg],
    "-c before": lambda cfg, args: ["-c", cfg] + args,
}


class Cli:
    """Runs admin commands of one instance with --config placed by `order`; n keeps names of runs apart."""

    def __init__(self, test, inst, order, n):
        self.t, self.inst, self.place, self.n = test, inst, ORDERS[order], n

    def __call__(self, *args, input=None, rc=0):
        argv = self.place(self.inst.config, list(args))
        r = run(argv, input=input)
        self.t.assertEqual(r.returncode, rc, f"axon {' '.join(argv)}\n{r.stdout}{r.stderr}")
        return r


def read(path):
    with open(path) as f:
        return f.read()


def temp_dir(t):
    d = tempfile.mkdtemp(prefix="axon-it-init-")
    t.addCleanup(shutil.rmtree, d, True)
    return d


def init_full(t, c):
    d = temp_dir(t)
    args = ["init", d, "--domain", "x.test", "--hostname", "mx.x.test", "--port-offset", "1000",
            "--listen", "127.0.0.1", "--listen", "::1"]
    for extra, rc in (([], 0), ([], 2), (["--force"], 0)):  # the second refuses to overwrite
        r = run(args + extra)
        t.assertEqual(r.returncode, rc, r.stdout + r.stderr)
    text = read(os.path.join(d, "axon.toml"))
    t.assertIn('hostname = "mx.x.test"', text)
    t.assertIn("port = 1025", text)
    t.assertEqual(run(["domain", "list", "--config", os.path.join(d, "axon.toml")]).stdout.split(), ["x.test"])


def init_minimal(t, c):
    d = temp_dir(t)
    t.assertEqual(run(["init", d, "--domain", "y.test"]).returncode, 0)
    t.assertIn('hostname = "mail.y.test"', read(os.path.join(d, "axon.toml")))


def admin_overview(t, c):
    t.assertIn(ALICE, c("user", "list").stdout.split())
    t.assertIn(DOMAIN, c("domain", "list").stdout.split())
    c("alias", "list")
    t.assertIn("INBOX", c("mailbox", "ls", ALICE).stdout)


def user_add(t, c):
    a = f"add{c.n}@{DOMAIN}"
    c("user", "add", a, "--password-stdin", input="pw\n")
    t.assertIn(a, c("user", "list").stdout.split())
    c("user", "add", a, "--password-stdin", input="pw\n", rc=1)  # exists
    # Without --password-stdin it asks on the terminal; there is none here.
    r = c("user", "add", f"tty{c.n}@{DOMAIN}", input="", rc=1)
    t.assertIn("--password-stdin", r.stderr)


def user_del(t, c):
    a = f"del{c.n}@{DOMAIN}"
    c("user", "add", a, "--password-stdin", input="pw\n")
    c("user", "del", a)
    t.assertNotIn(a, c("user", "list").stdout.split())
    c("user", "del", a, rc=1)


def user_list(t, c):
    t.assertIn(ALICE, c("user", "list").stdout.split())


def user_passwd(t, c):
    c("user", "passwd", BOB, "--password-stdin", input=f"new-{c.n}\n")
    c("user", "passwd", f"nobody@{DOMAIN}", "--password-stdin", input="x\n", rc=1)
    c("user", "passwd", BOB, input="", rc=1)  # no terminal


def domain_all(t, c):
    d = f"d{c.n}.test"
    c("domain", "add", d)
    t.assertIn(d, c("domain", "list").stdout.split())
    c("domain", "del", d)
    t.assertNotIn(d, c("domain", "list").stdout.split())


def alias_add(t, c):
    a = f"team{c.n}@{DOMAIN}"
    c("alias", "add", a, ALICE, BOB)
    t.assertIn(f"{a} {ALICE} {BOB}", c("alias", "list").stdout)


def alias_del(t, c):
    a = f"gone{c.n}@{DOMAIN}"
    c("alias", "add", a, ALICE)
    c("alias", "del", a)
    t.assertNotIn(a, c("alias", "list").stdout)


def alias_list(t, c):
    c("alias", "add", f"listed{c.n}@{DOMAIN}", BOB)
    t.assertIn(f"listed{c.n}@{DOMAIN} {BOB}", c("alias", "list").stdout)


def mailbox_ls(t, c):
    t.assertIn("INBOX", c("mailbox", "ls", ALICE).stdout)
    t.assertIn('"name":"INBOX"', c("mailbox", "ls", ALICE, "--json").stdout)
    # The global option between the command's own arguments.
    r = run(["mailbox", "ls", ALICE, "--config", c.inst.config, "--json"])
    t.assertEqual(r.returncode, 0, r.stderr)
    t.assertIn('"name":"INBOX"', r.stdout)


def mailbox_create(t, c):
    name = f"Projects{c.n}/Axon"
    c("mailbox", "create", ALICE, name)
    out = c("mailbox", "ls", ALICE).stdout
    t.assertIn(name, out)
    t.assertIn(f"Projects{c.n} ", out)  # the parent was created too
    r = run(["mailbox", "create", ALICE, name, "--config", c.inst.config])
    t.assertNotEqual(r.returncode, 0)
    t.assertIn("exists", r.stderr)


def mailbox_delete(t, c):
    c("mailbox", "create", ALICE, f"Old{c.n}")
    c("mailbox", "delete", ALICE, f"Old{c.n}")
    t.assertNotIn(f"Old{c.n} ", c("mailbox", "ls", ALICE).stdout)
    r = run(["mailbox", "delete", ALICE, "INBOX", "--config", c.inst.config])
    t.assertNotEqual(r.returncode, 0)


def mailbox_rename(t, c):
    c("mailbox", "create", ALICE, f"Before{c.n}/Child")
    c("mailbox", "rename", ALICE, f"Before{c.n}", f"After{c.n}")
    out = c("mailbox", "ls", ALICE).stdout
    t.assertIn(f"After{c.n}/Child", out)
    t.assertNotIn(f"Before{c.n}", out)


def config_docs(t, c):
    t.assertTrue(c("config", "docs").stdout.startswith("# "))


SERVE = "serve"  # run by test_serve_both_orders
CASES = {
    "axon init": init_minimal,  # README mentions the command by name
    "axon init DIR --domain DOMAIN [--hostname HOST] [--port-offset N] [--listen ADDR]": init_full,
    "axon init DIR --domain DOMAIN [--hostname HOST] [--port-offset N] [--listen ADDR]... [--force]": init_full,
    "axon serve --config DIR/axon.toml": SERVE,
    "axon serve": SERVE,
    "axon serve --config F": SERVE,
    "axon --config F serve": SERVE,
    "axon user add A --config F": user_add,
    "axon --config F user add A": user_add,
    "axon user|domain|alias|mailbox ...": admin_overview,
    "axon --config demo/axon.toml mailbox ls demo@axon.test": mailbox_ls,
    "axon user add ADDRESS [--password-stdin]": user_add,
    "axon user del ADDRESS": user_del,
    "axon user list": user_list,
    "axon user passwd ADDRESS [--password-stdin]": user_passwd,
    "axon domain add|del|list [DOMAIN]": domain_all,
    "axon alias add ALIAS TARGET...": alias_add,
    "axon alias del ALIAS": alias_del,
    "axon alias list": alias_list,
    "axon mailbox ls ADDRESS [--json]": mailbox_ls,
    "axon mailbox create ADDRESS NAME": mailbox_create,
    "axon mailbox delete ADDRESS NAME": mailbox_delete,
    "axon mailbox rename ADDRESS NAME NEW_NAME": mailbox_rename,
    "axon config docs": config_docs,
}


class DocumentedForms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.inst = Instance()

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def test_every_documented_form_has_a_case(self):
        forms = documented_forms()
        self.assertEqual(sorted(forms - CASES.keys()), [], "documented forms without a test case")
        self.assertEqual(sorted(CASES.keys() - forms), [], "test cases of forms no longer documented")

    def test_admin_forms_in_every_order(self):
        n = 0
        for order in ORDERS:
            for form, case in CASES.items():
                if case is SERVE:
                    continue
                n += 1
                with self.subTest(form=form, order=order):
                    case(self, Cli(self, self.inst, order, n))

    def test_serve_both_orders(self):
        for order, place in ORDERS.items():
            with self.subTest(order=order):
                self.inst.start(args=place(self.inst.config, ["serve"]))
                # The server took the config it was given: it serves the instance's port.
                self.assertEqual(self.inst.stop(signal.SIGTERM), 0, self.inst.read_log())

    def test_help_before_and_after(self):
        cases = [
            (["--help"], "axon [OPTIONS] SUBCOMMAND"),
            (["-h"], "axon [OPTIONS] SUBCOMMAND"),
            (["serve", "--help"], "axon serve"),
            (["--help", "serve"], "axon serve"),
            (["user", "--help"], "axon user"),
            (["user", "add", "--help"], "axon user add"),
            (["--help", "user", "add"], "axon user add"),
            (["user", "--help", "add"], "axon user add"),
            (["mailbox", "ls", "--config", self.inst.config, "--help"], "axon mailbox ls"),
            (["alias", "add", "-h"], "axon alias add"),
            (["config", "docs", "--help"], "axon config docs"),
        ]
        for args, usage in cases:
            with self.subTest(args=args):
                r = run(args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("Usage: " + usage, r.stdout)
                self.assertIn("--config", r.stdout)  # every help names the global option

    def test_unknown_option_is_a_usage_error(self):
        for args in (["user", "list", "--bogus", "--config", self.inst.config], ["--bogus", "serve"]):
            with self.subTest(args=args):
                r = run(args)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn("--bogus", r.stderr)


if __name__ == "__main__":
    unittest.main()
