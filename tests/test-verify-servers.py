#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`mail-setup verify` against real servers besides dovecot: Cyrus IMAP
(tests/servers/cyrus.py) and Courier IMAP (courier.py), IMAP only, and
Postfix with dovecot SASL (postfix.py), SMTP only.  For each: the right
password over implicit TLS and over STARTTLS, a wrong one, one with a
double quote, a backslash, a space and non-ASCII, and the wrong TLS mode
for the port (diagnosed as such, not timed out).  Cyrus also has a user
without an INBOX.  A second Postfix keeps dovecot's delays for failed
logins: after a failure a wrong password is still "auth-failed"; after
three, Postfix itself gives up waiting for dovecot and says 454, which
must be reported as the server's answer ("rate-limited"), not as a
timeout.

Cyrus and Courier conflict with the installed dovecot, so packages.py
fetches and unpacks them (cached in the build directory).  Nothing is
skipped: a server that cannot be had or started makes its tests fail,
with the reason.  Everything listens on 127.0.0.1; the client is given
host `localhost`, the name in the test certificates.

Run: python3 tests/test-verify-servers.py /path/to/mail-setup
(as root: Courier runs in mount namespaces and Postfix's master as root)."""

import atexit
import importlib.util
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))

from courier import Courier  # noqa: E402
from cyrus import Cyrus  # noqa: E402
from postfix import Postfix  # noqa: E402


def _load(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"),
                                                  os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_dovecot_tests = _load("test-verify-dovecot")
leak_forms = _dovecot_tests.leak_forms

BINARY = None
HOME = None            # an empty XDG_DATA_HOME for the runs

ALICE = "alice@example.com"
SPECIAL = "special@example.com"
NO_INBOX = "noinbox@example.com"
LATE = "late@example.com"
USERS = {
    ALICE: "Alice-srv-pw-4Rt8",
    # A double quote, a backslash, spaces and non-ASCII in one.
    SPECIAL: 'pä ss"\\word-Sv7',
    NO_INBOX: "NoInbox-pw-2Wq6",        # Cyrus only: no INBOX
    LATE: "Late-pw-8Kx3",               # the Postfix with real failure delays
}
WRONG = "Wrong-srv-pw-6Yh1"

# Generous deadline for the whole check: a test that expects an error kind
# other than "timeout" shows it was diagnosed, not waited out.
TIMEOUT = "--timeout=30"
# Not contacted: the other side's server, with --only.
UNUSED = "localhost:9"

# An IMAP tag at the start of a message meant for people ("m3 NO ...").
TAGGED = re.compile(r"^[A-Za-z0-9.]+ (OK|NO|BAD)\b")


def setUpModule():
    global HOME
    atexit.register(tearDownModule)     # also when interrupted
    HOME = tempfile.mkdtemp(prefix="ms-verify-servers-home-")


def tearDownModule():
    global HOME
    if HOME is not None:
        shutil.rmtree(HOME, ignore_errors=True)
        HOME = None


def run(args, stdin):
    """test-verify-dovecot's run(), with this module's binary and home."""
    _dovecot_tests.BINARY, _dovecot_tests.HOME = BINARY, HOME
    return _dovecot_tests.run(*args, stdin=stdin)


class VerifyCase:
    """One server for a test class, and verify against it.  A subclass
    sets SIDE ("imap" or "smtp"), SERVER_CLASS and SERVER_ARGS, and the
    names of the server's port attributes."""

    SIDE = None
    SERVER_CLASS = None
    SERVER_ARGS = {}
    SSL_PORT = STARTTLS_PORT = None
    server = None
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        server = cls.SERVER_CLASS(**cls.SERVER_ARGS)
        server.start()          # raises with the server's logs on failure
        cls.server = server

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
            cls.server = None

    def port(self, security):
        return getattr(self.server, self.SSL_PORT if security == "ssl" else self.STARTTLS_PORT)

    def verify(self, address, password, security="ssl", port=None, extra=()):
        """verify ADDRESS --only=SIDE against the server's port for
        security (or port), with security as the TLS mode; checks the
        password is in neither output.  Returns (status, JSON, why)."""
        port = port or self.port(security)
        other = "smtp" if self.SIDE == "imap" else "imap"
        args = ["verify", address, "--json", "--only=" + self.SIDE,
                "--%s=localhost:%d" % (self.SIDE, port),
                "--%s-security=%s" % (self.SIDE, security),
                "--%s=%s" % (other, UNUSED),
                "--ca-file=" + self.server.ca_file, TIMEOUT, *extra]
        started = time.monotonic()
        result = run(args, (password + "\n").encode())
        out = result.stdout.decode("utf-8", errors="replace")
        err = result.stderr.decode("utf-8", errors="replace")
        for form in leak_forms(address, password):
            self.assertNotIn(form, out, "the password is in stdout")
            self.assertNotIn(form, err, "the password is in stderr")
        why = "verify %s (%.1f s): exit %d\nstdout: %s\nstderr (end): %s" % (
            " ".join(args[3:6]), time.monotonic() - started, result.returncode,
            out, err[-3000:])
        try:
            doc = json.loads(result.stdout)
        except ValueError:
            self.fail("stdout is not JSON\n" + why)
        self.assertIsNone(doc[other], why)
        self.assertIsInstance(doc.get(self.SIDE), dict, why)
        self.assertEqual(doc[self.SIDE]["server"], "localhost:%d" % port, why)
        return result.returncode, doc, why

    def assertOk(self, address, security):
        code, doc, why = self.verify(address, USERS[address], security)
        side = doc[self.SIDE]
        self.assertIs(side["ok"], True, why)
        self.assertIsNone(side["error"], why)
        self.assertIsNone(side["message"], why)
        self.assertEqual(code, 0, why)
        self.assertIs(doc["ok"], True, why)

    def assertFailed(self, doc, why, error):
        side = doc[self.SIDE]
        self.assertEqual(side["error"], error, why)
        self.assertIs(side["ok"], False, why)
        self.assertIs(doc["ok"], False, why)

    def assertNoTag(self, message, why):
        if message is not None:
            self.assertNotRegex(message, TAGGED, "an IMAP tag in a message for people\n" + why)


class ServerCases(VerifyCase):
    """The cases every server gets; WRONG_WORDS is what the server says to
    a wrong password."""

    WRONG_WORDS = None

    def test_right_password_implicit_tls(self):
        self.assertOk(ALICE, "ssl")

    def test_right_password_starttls(self):
        self.assertOk(ALICE, "starttls")

    def test_special_password_implicit_tls(self):
        self.assertOk(SPECIAL, "ssl")

    def test_special_password_starttls(self):
        self.assertOk(SPECIAL, "starttls")

    def check_wrong_password(self, security):
        code, doc, why = self.verify(ALICE, WRONG, security)
        self.assertFailed(doc, why, "auth-failed")
        self.assertEqual(code, 1, why)
        message = doc[self.SIDE]["message"]
        self.assertIsInstance(message, str, why)
        # The server's own words, without the protocol's tag.
        self.assertIn(self.WRONG_WORDS, message.lower(), why)
        self.assertNoTag(message, why)

    def test_wrong_password_implicit_tls(self):
        self.check_wrong_password("ssl")

    def test_wrong_password_starttls(self):
        self.check_wrong_password("starttls")

    def test_starttls_on_implicit_tls_port(self):
        # The server waits for a TLS handshake, the client for a greeting.
        code, doc, why = self.verify(ALICE, USERS[ALICE], "starttls", port=self.port("ssl"))
        self.assertFailed(doc, why, "wrong-security-mode")
        self.assertEqual(code, 1, why)
        self.assertNoTag(doc[self.SIDE]["message"], why)

    def test_ssl_on_starttls_port(self):
        # The server greets in clear text, where a TLS handshake should be.
        code, doc, why = self.verify(ALICE, USERS[ALICE], "ssl", port=self.port("starttls"))
        self.assertFailed(doc, why, "wrong-security-mode")
        self.assertEqual(code, 1, why)
        self.assertNoTag(doc[self.SIDE]["message"], why)


class Cyrus_IMAP(ServerCases, unittest.TestCase):
    SIDE = "imap"
    SERVER_CLASS = Cyrus
    SERVER_ARGS = {"users": {u: USERS[u] for u in (ALICE, SPECIAL, NO_INBOX)},
                   "no_inbox": {NO_INBOX}}
    SSL_PORT, STARTTLS_PORT = "imaps_port", "imap_port"
    WRONG_WORDS = "authentication failure"     # "NO Login failed: authentication failure"

    def check_no_inbox(self, security):
        # The login works; Cyrus just has no mailbox for this user yet.
        code, doc, why = self.verify(NO_INBOX, USERS[NO_INBOX], security)
        side = doc["imap"]
        self.assertEqual(side["error"], "no-inbox", why)
        self.assertIs(side["ok"], True, why)
        self.assertNoTag(side["message"], why)

    def test_no_inbox_implicit_tls(self):
        self.check_no_inbox("ssl")

    def test_no_inbox_starttls(self):
        self.check_no_inbox("starttls")


class Courier_IMAP(ServerCases, unittest.TestCase):
    SIDE = "imap"
    SERVER_CLASS = Courier
    SERVER_ARGS = {"users": {u: USERS[u] for u in (ALICE, SPECIAL)}}
    SSL_PORT, STARTTLS_PORT = "imaps_port", "imap_port"
    WRONG_WORDS = "login failed"                # "NO Login failed."


class Postfix_SMTP(ServerCases, unittest.TestCase):
    SIDE = "smtp"
    SERVER_CLASS = Postfix
    SERVER_ARGS = {"users": {u: USERS[u] for u in (ALICE, SPECIAL)}}
    SSL_PORT, STARTTLS_PORT = "submissions_port", "submission_port"
    WRONG_WORDS = "authentication failed"       # "535 5.7.8 Error: authentication failed: ..."


class Postfix_SMTP_AuthPenalty(VerifyCase, unittest.TestCase):
    """dovecot's delays for failed logins as they really are: each failure
    answered up to 2 s late (auth_failure_delay), and after 1, 2, 3 or more
    failures from one address the next attempt is not even checked for 4,
    8, then 15 s (the authentication penalty).  Postfix waits for dovecot's answer 10 s
    at most, then says "454 4.7.0 Temporary authentication failure:
    Connection lost to authentication server"."""

    SIDE = "smtp"
    SERVER_CLASS = Postfix
    SERVER_ARGS = {"users": {LATE: USERS[LATE]}, "failure_delays": True}
    SSL_PORT, STARTTLS_PORT = "submissions_port", "submission_port"

    def fail_directly(self, n):
        # Straight to dovecot's auth socket, as Postfix does it for a client
        # at 127.0.0.1; a different password each time (dovecot does not
        # count one tried again).
        self.assertFalse(self.server.dovecot.sasl_auth(LATE, "Wrong-penalty-%d-Qp4" % n))

    def test_wrong_password_after_failures(self):
        # One failure: the next answer comes about 6 s late, still a 535.
        self.fail_directly(1)
        with self.subTest(failures=1):
            code, doc, why = self.verify(LATE, WRONG)
            self.assertFailed(doc, why, "auth-failed")
            self.assertIn("535", doc["smtp"]["message"], why)
            self.assertEqual(code, 1, why)
        # Three or four (whether that verify counted or not): dovecot holds
        # the answer 15 s, past Postfix's 10 s.  The server did answer,
        # within --timeout=30: not a timeout.
        self.fail_directly(2)
        self.fail_directly(3)
        with self.subTest(failures=3):
            code, doc, why = self.verify(LATE, WRONG + "-again")
            self.assertFailed(doc, why, "rate-limited")
            self.assertIn("454 4.7.0 Temporary authentication failure", doc["smtp"]["message"], why)
            self.assertEqual(code, 1, why)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    # A test runner's SIGTERM (meson on timeout) unwinds as Ctrl-C does:
    # the servers stop and their directories go.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    unittest.main(verbosity=2)
