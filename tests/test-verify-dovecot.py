#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`mail-setup verify` against a real dovecot (tests/servers/dovecot.py):
IMAP and SMTP submission, implicit TLS and STARTTLS, right and wrong
passwords, passwords that need quoting (quotes, backslashes, braces,
spaces, non-ASCII), --only, --username, the password on standard input
with and without a newline, an untrusted certificate (and proof from
dovecot's log that the password was not sent), and usage errors.  Every
run also checks that the password is in neither stdout nor stderr, and
never crossed a plain (STARTTLS) port in clear.

Run: python3 tests/test-verify-dovecot.py /path/to/mail-setup
Everything listens on 127.0.0.1; the client is given host `localhost`,
the name in the test certificate.  Skipped when dovecot is not installed
(Debian: dovecot-imapd, dovecot-submissiond; and certtool: gnutls-bin)."""

import atexit
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers"))

from dovecot import Dovecot  # noqa: E402

BINARY = None
SERVER = None          # the one Dovecot of this module
HOME = None            # an empty XDG_DATA_HOME for the runs

_SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
HAVE_DOVECOT = bool(shutil.which("dovecot", path=_SBIN_PATH) and shutil.which("certtool"))
NO_DOVECOT = "dovecot (dovecot-imapd, dovecot-submissiond) or certtool (gnutls-bin) not installed"

# Each password belongs to its own user, so a failure names the character
# class that broke.  None is a prefix or suffix of another.
ALICE = "alice@example.com"
USERS = {
    ALICE: "Alice-pw-7Hq2xV",
    "quote@example.com": 'Qu"ote-pw-"K3',
    "backslash@example.com": "Back\\slash-pw-\\",
    # A scheme-like prefix (the server must not parse it) and an IMAP
    # literal-like {N} (the client must not send it bare).
    "braces@example.com": "{PLAIN}Br{ace}s-pw-{3}",
    "space@example.com": " Sp ace-pw-8L",
    "unicode@example.com": "密码-Unicode-pw-ü",
    "everything@example.com": ' "\\{密码} -pw-Z4',
    # Only ever used with an untrusted certificate, then once as a control.
    "untrusted@example.com": "Untrusted-pw-5Kd9",
    # One account under two login names, as iCloud has it: the local part
    # for IMAP, the full address for SMTP (see QUIRK below).
    "quirk": "Quirk-pw-8Tz3",
    "quirk@quirk.test": "Quirk-pw-8Tz3",
}

# A provider file with per-server login rules (iCloud's: IMAP the local part,
# SMTP the full address, on 587 with STARTTLS), pointing at the test server.
QUIRK = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1" xmlns:ms="https://mailsetup.github.io/ns/provider/1">
  <emailProvider id="quirk">
    <domain>quirk.test</domain>
    <displayName>Quirk Mail</displayName>
    <incomingServer type="imap">
      <hostname>127.0.0.1</hostname><port>{imaps}</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>127.0.0.1</hostname><port>{submission}</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
    <ms:password><ms:name>app password</ms:name></ms:password>
    <ms:steps><ms:step id="make" who="user"><ms:title>Make one</ms:title>
      <ms:description>Make an app password.</ms:description></ms:step></ms:steps>
  </emailProvider>
</clientConfig>
"""
NO_SUCH_USER = "nobody-here@example.com"

# Slack for the child beyond its own --timeout (default 20 s).
RUN_TIMEOUT = 60


def setUpModule():
    global SERVER, HOME
    atexit.register(tearDownModule)     # also when interrupted
    HOME = tempfile.mkdtemp(prefix="ms-verify-home-")
    if HAVE_DOVECOT:
        server = Dovecot(users=USERS)
        server.start()          # raises with dovecot's log on failure
        SERVER = server


def tearDownModule():
    global SERVER, HOME
    if SERVER is not None:
        SERVER.stop()
        SERVER = None
    if HOME is not None:
        shutil.rmtree(HOME, ignore_errors=True)
        HOME = None


def run(*args, stdin=b""):
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent"
    env["XDG_DATA_HOME"] = HOME
    return subprocess.run([BINARY, *args], capture_output=True, env=env,
                          input=stdin, timeout=RUN_TIMEOUT)


def leak_forms(user, password):
    """How the password could show up in output or on the wire: as is,
    JSON-escaped, as an IMAP quoted string, and in base64 as SASL PLAIN /
    LOGIN carry it."""
    forms = {password, json.dumps(password)[1:-1], json.dumps(password, ensure_ascii=False)[1:-1],
             password.replace("\\", "\\\\").replace('"', '\\"'),
             base64.b64encode(password.encode()).decode()}
    for blob in ("\0%s\0%s" % (user, password), "%s\0%s\0%s" % (user, user, password)):
        forms.add(base64.b64encode(blob.encode()).decode())
    return {f for f in forms if f.strip()}


def servers(imap="ssl", smtp="ssl", ca=True):
    """Options naming the test server: implicit TLS ("ssl") or STARTTLS."""
    args = []
    if imap is not None:
        args.append("--imap=localhost:%d" % (SERVER.imaps_port if imap == "ssl"
                                             else SERVER.imap_port))
        if imap == "starttls":
            args.append("--imap-security=starttls")
    if smtp is not None:
        args.append("--smtp=localhost:%d" % (SERVER.submissions_port if smtp == "ssl"
                                             else SERVER.submission_port))
        if smtp == "starttls":
            args.append("--smtp-security=starttls")
    if ca:
        args.append("--ca-file=" + SERVER.ca_file)
    return args


def where(side, security):
    if side == "imap":
        port = SERVER.imaps_port if security == "ssl" else SERVER.imap_port
    else:
        port = SERVER.submissions_port if security == "ssl" else SERVER.submission_port
    return "localhost:%d" % port


class VerifyTestCase(unittest.TestCase):
    maxDiff = None

    def verify(self, address, password, *args, stdin=None, user=None):
        """Runs `verify ADDRESS ARGS --json` with the password (and a
        newline) on standard input; checks that the password shows up in
        neither output nor in clear on the plain ports; returns (exit
        status, JSON or None, result)."""
        if stdin is None:
            stdin = (password + "\n").encode()
        before = SERVER.plain_traffic() if SERVER else {}
        result = run("verify", address, *args, "--json", stdin=stdin)
        out = result.stdout.decode("utf-8", errors="replace")
        err = result.stderr.decode("utf-8", errors="replace")
        wire = {}
        if SERVER:
            wire = {port: sent[len(before.get(port, b"")):]
                    for port, sent in SERVER.plain_traffic().items()}
        for form in leak_forms(user or address, password):
            self.assertNotIn(form, out, "the password is in stdout")
            self.assertNotIn(form, err, "the password is in stderr")
            # Before STARTTLS everything crosses the plain ports in clear.
            for port, sent in wire.items():
                self.assertNotIn(form.encode(), sent,
                                 "the password crossed the %s port in clear" % port)
        doc = None
        if result.stdout.strip():
            try:
                doc = json.loads(result.stdout)
            except ValueError:
                self.fail("stdout is not JSON (exit %d):\n%s\nstderr:\n%s"
                          % (result.returncode, out, err))
        return result.returncode, doc, result

    def describe(self, doc, result):
        return "exit %d\nstdout: %s\nstderr: %s" % (
            result.returncode, json.dumps(doc, ensure_ascii=False, indent=1),
            result.stderr.decode("utf-8", errors="replace"))

    def assertSideOk(self, doc, side, security, why=""):
        self.assertIsInstance(doc.get(side), dict, why)
        s = doc[side]
        self.assertIs(s["ok"], True, why)
        self.assertEqual(s["server"], where(side, security), why)
        self.assertIsNone(s["error"], why)
        self.assertIsNone(s["message"], why)
        self.assertIsNone(s["advice"], why)

    def assertSideFailed(self, doc, side, security, error, why="", words=True):
        """words: message and advice must be non-empty strings."""
        self.assertIsInstance(doc.get(side), dict, why)
        s = doc[side]
        self.assertIs(s["ok"], False, why)
        self.assertEqual(s["error"], error, why)
        self.assertEqual(s["server"], where(side, security), why)
        if words:
            self.assertIsInstance(s["message"], str, why)
            self.assertTrue(s["message"].strip(), why)
            self.assertIsInstance(s["advice"], str, why)
            self.assertTrue(s["advice"].strip(), why)

    def assertVerified(self, address, password, imap="ssl", smtp="ssl", extra=(), **kw):
        code, doc, result = self.verify(address, password, *servers(imap, smtp), *extra, **kw)
        why = self.describe(doc, result)
        self.assertIsNotNone(doc, why)
        self.assertEqual(code, 0, why)
        self.assertIs(doc["ok"], True, why)
        self.assertEqual(doc["email"], address, why)
        self.assertEqual(doc["stored"], [], why)
        if imap is None:
            self.assertIsNone(doc["imap"], why)
        else:
            self.assertSideOk(doc, "imap", imap, why)
        if smtp is None:
            self.assertIsNone(doc["smtp"], why)
        else:
            self.assertSideOk(doc, "smtp", smtp, why)
        return doc


@unittest.skipUnless(HAVE_DOVECOT, NO_DOVECOT)
class VerifyDovecot(VerifyTestCase):
    def log_since(self, offset):
        return SERVER.log()[offset:]

    def wait_for_log(self, offset, pattern, seconds=5.0):
        """dovecot's log from offset once pattern appears in it (bounded)."""
        deadline = time.monotonic() + seconds
        while True:
            text = self.log_since(offset)
            if re.search(pattern, text) or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    # -- right password ------------------------------------------------

    def test_right_password_implicit_tls(self):
        self.assertVerified(ALICE, USERS[ALICE])

    def test_per_server_login_names(self):
        # The provider's own rules, side by side: dovecot sees the local
        # part on IMAP and the full address on submission.
        providers = os.path.join(HOME, "mail-setup", "providers")
        os.makedirs(providers, exist_ok=True)
        path = os.path.join(providers, "quirk.xml")
        with open(path, "w") as f:
            f.write(QUIRK.format(imaps=SERVER.imaps_port, submission=SERVER.submission_port))
        try:
            offset = len(SERVER.log())
            code, doc, result = self.verify("quirk@quirk.test", USERS["quirk"],
                                            "--ca-file=" + SERVER.ca_file, user="quirk")
            self.assertEqual(code, 0, self.describe(doc, result))
            self.assertTrue(doc["imap"]["ok"] and doc["smtp"]["ok"], self.describe(doc, result))
            log = self.wait_for_log(offset, r"submission-login: Info: Login: user=<quirk@quirk.test>")
            self.assertRegex(log, r"imap-login: Info: Login: user=<quirk>")
            self.assertRegex(log, r"submission-login: Info: Login: user=<quirk@quirk.test>")
            self.assertNotRegex(log, r"imap-login: Info: Login: user=<quirk@quirk.test>")
        finally:
            os.unlink(path)

    def test_timeout_option_accepted(self):
        self.assertVerified(ALICE, USERS[ALICE], extra=("--timeout=10",))

    def test_starttls_imap(self):
        offset = len(SERVER.log())
        sent = len(SERVER.plain_traffic()["imap"])
        self.assertVerified(ALICE, USERS[ALICE], imap="starttls", smtp="ssl")
        # The relay in front of the plain port saw the cleartext command
        # (so the "password crossed in clear" check in verify() can see).
        self.assertRegex(SERVER.plain_traffic()["imap"][sent:], rb"(?im)^\S+ STARTTLS\r\n")
        # The plain port refuses LOGIN before STARTTLS (LOGINDISABLED), so
        # success means TLS was started; dovecot's log says so too.
        log = self.wait_for_log(offset, r"imap-login: .*Login: user=<%s>" % re.escape(ALICE))
        logins = [l for l in log.splitlines() if re.search(r"imap-login: .*Login: user=<", l)]
        self.assertTrue(logins, log)
        for line in logins:
            self.assertIn(", TLS", line)

    def test_starttls_smtp(self):
        offset = len(SERVER.log())
        sent = len(SERVER.plain_traffic()["submission"])
        self.assertVerified(ALICE, USERS[ALICE], imap="ssl", smtp="starttls")
        self.assertRegex(SERVER.plain_traffic()["submission"][sent:], rb"(?im)^STARTTLS\r\n")
        log = self.wait_for_log(offset, r"submission-login: .*Login: user=<%s>" % re.escape(ALICE))
        logins = [l for l in log.splitlines() if re.search(r"submission-login: .*Login: user=<", l)]
        self.assertTrue(logins, log)
        for line in logins:
            self.assertIn(", TLS", line)

    def test_starttls_both(self):
        self.assertVerified(ALICE, USERS[ALICE], imap="starttls", smtp="starttls")

    # -- passwords that need care --------------------------------------

    def check_special(self, user):
        password = USERS[user]
        with self.subTest(security="ssl"):
            self.assertVerified(user, password)
        with self.subTest(security="starttls"):
            self.assertVerified(user, password, imap="starttls", smtp="starttls")

    def test_password_with_double_quotes(self):
        self.check_special("quote@example.com")

    def test_password_with_backslashes(self):
        self.check_special("backslash@example.com")

    def test_password_with_braces(self):
        self.check_special("braces@example.com")

    def test_password_with_leading_and_inner_spaces(self):
        self.check_special("space@example.com")

    def test_password_non_ascii(self):
        self.check_special("unicode@example.com")

    def test_password_with_everything(self):
        self.check_special("everything@example.com")

    # -- standard input ------------------------------------------------

    def test_password_without_newline(self):
        self.assertVerified(ALICE, USERS[ALICE], stdin=USERS[ALICE].encode())

    def test_only_first_line_is_the_password(self):
        self.assertVerified(ALICE, USERS[ALICE],
                            stdin=(USERS[ALICE] + "\nnot-the-password\n").encode())

    def test_non_ascii_password_without_newline(self):
        user = "unicode@example.com"
        self.assertVerified(user, USERS[user], stdin=USERS[user].encode())

    # -- one side ------------------------------------------------------

    def test_only_imap(self):
        self.assertVerified(ALICE, USERS[ALICE], smtp=None,
                            extra=("--only=imap", "--smtp=localhost:%d" % SERVER.submissions_port))

    def test_only_smtp(self):
        self.assertVerified(ALICE, USERS[ALICE], imap=None,
                            extra=("--only=smtp", "--imap=localhost:%d" % SERVER.imaps_port))

    def test_only_imap_wrong_password(self):
        code, doc, result = self.verify(ALICE, "Wrong-pw-only-imap", *servers(), "--only=imap")
        why = self.describe(doc, result)
        self.assertIsNotNone(doc, why)
        self.assertEqual(code, 1, why)
        self.assertIs(doc["ok"], False, why)
        self.assertSideFailed(doc, "imap", "ssl", "auth-failed", why)
        self.assertIsNone(doc["smtp"], why)

    # -- login name ----------------------------------------------------

    def test_username_option(self):
        address = "someone@example.org"
        code, doc, result = self.verify(address, USERS[ALICE], *servers(),
                                        "--username=" + ALICE, user=ALICE)
        why = self.describe(doc, result)
        self.assertIsNotNone(doc, why)
        self.assertEqual(code, 0, why)
        self.assertEqual(doc["email"], address, why)
        self.assertSideOk(doc, "imap", "ssl", why)
        self.assertSideOk(doc, "smtp", "ssl", why)

    # -- failures ------------------------------------------------------

    def check_auth_failed(self, address, password, imap="ssl", smtp="ssl"):
        code, doc, result = self.verify(address, password, *servers(imap, smtp))
        why = self.describe(doc, result)
        self.assertIsNotNone(doc, why)
        self.assertEqual(code, 1, why)
        self.assertIs(doc["ok"], False, why)
        self.assertEqual(doc["email"], address, why)
        self.assertSideFailed(doc, "imap", imap, "auth-failed", why)
        self.assertSideFailed(doc, "smtp", smtp, "auth-failed", why)
        # The server's own words: dovecot says "Authentication failed."
        # (IMAP: NO [AUTHENTICATIONFAILED] …; SMTP: 535 5.7.8 …).
        for side in ("imap", "smtp"):
            self.assertIn("authentication failed", doc[side]["message"].lower(), why)
        self.assertIn("535", doc["smtp"]["message"], why)
        # The tag is the protocol's, not the server's words.
        self.assertTrue(doc["imap"]["message"].startswith("NO [AUTHENTICATIONFAILED]"), why)
        return doc

    def test_wrong_security_mode(self):
        # STARTTLS chosen for the implicit-TLS ports, then SSL/TLS for the
        # plain ones. The --timeout is far longer than the diagnosis needs:
        # "wrong-security-mode" and not "timeout" shows it was diagnosed.
        plain = SERVER.plain_traffic()
        for imap_port, smtp_port, security, says in (
                (SERVER.imaps_port, SERVER.submissions_port, "starttls", "SSL/TLS"),
                (SERVER.imap_port, SERVER.submission_port, "ssl", "STARTTLS")):
            with self.subTest(security=security):
                code, doc, result = self.verify(
                    ALICE, USERS[ALICE], "--imap=localhost:%d" % imap_port,
                    "--smtp=localhost:%d" % smtp_port, "--imap-security=" + security,
                    "--smtp-security=" + security, "--ca-file=" + SERVER.ca_file, "--timeout=30")
                why = self.describe(doc, result)
                self.assertEqual(code, 1, why)
                for side in ("imap", "smtp"):
                    self.assertEqual(doc[side]["error"], "wrong-security-mode", why)
                    self.assertIn(says, doc[side]["message"], why)
        # Nothing but greetings and handshakes crossed in clear.
        after = SERVER.plain_traffic()
        for name in ("imap", "submission"):
            self.assertNotRegex(after[name][len(plain[name]):], rb"(?i)LOGIN|AUTH", name)

    def test_wrong_password(self):
        self.check_auth_failed(ALICE, "Wrong-pw-Mm4t")

    def test_wrong_password_starttls(self):
        self.check_auth_failed(ALICE, "Wrong-pw-Nn5u", imap="starttls", smtp="starttls")

    def test_wrong_password_special_characters(self):
        # The right password of another user: quoting must still be right
        # for the failure to be dovecot's "Authentication failed".
        self.check_auth_failed(ALICE, USERS["everything@example.com"])

    def test_unknown_user(self):
        self.check_auth_failed(NO_SUCH_USER, "Whatever-pw-Pp6v")

    def test_untrusted_certificate_sends_no_password(self):
        user = "untrusted@example.com"
        password = USERS[user]
        offset = len(SERVER.log())
        for imap, smtp in (("ssl", "ssl"), ("starttls", "starttls")):
            # No --ca-file: only the system's CAs, which do not include
            # the test CA.
            code, doc, result = self.verify(user, password, *servers(imap, smtp, ca=False))
            why = "%s/%s\n%s" % (imap, smtp, self.describe(doc, result))
            self.assertIsNotNone(doc, why)
            self.assertEqual(code, 1, why)
            self.assertIs(doc["ok"], False, why)
            self.assertSideFailed(doc, "imap", imap, "tls-certificate", why, words=False)
            self.assertSideFailed(doc, "smtp", smtp, "tls-certificate", why, words=False)

        # A control run with a login that dovecot logs (auth_verbose):
        # once it is in the log, the runs above are too.
        code, doc, result = self.verify(ALICE, "Wrong-pw-control-Qq7w", *servers())
        self.assertEqual(code, 1, self.describe(doc, result))
        log = self.wait_for_log(offset, r"user=<%s>" % re.escape(ALICE))
        self.assertRegex(log, r"user=<%s>" % re.escape(ALICE), "dovecot logs no logins?")
        # The handshakes did reach dovecot …
        self.assertIn("TLS handshaking", log)
        # … but no login: the user name never appears (auth_verbose logs
        # every attempt, a refused plaintext LOGIN included).
        self.assertNotIn(user, log)
        self.assertNotIn(password, log)

        # And the name would show up: the same user, trusted this time.
        offset = len(SERVER.log())
        self.assertVerified(user, password, imap="ssl", smtp=None, extra=("--only=imap",))
        log = self.wait_for_log(offset, r"user=<%s>" % re.escape(user))
        self.assertIn("user=<%s>" % user, log)


class Usage(VerifyTestCase):
    """Exit status 2: nothing is checked.  No server needed (the ports
    named are not contacted)."""

    ARGS = ("--imap=localhost:1", "--smtp=localhost:1")

    def test_malformed_address(self):
        code, doc, result = self.verify("nobody", "Some-pw-Rr8x", *self.ARGS)
        self.assertEqual(code, 2, self.describe(doc, result))
        self.assertTrue(result.stderr)

    def test_missing_ca_file(self):
        missing = os.path.join(HOME, "no-such-ca.pem")
        code, doc, result = self.verify(ALICE, "Some-pw-Ss9y", *self.ARGS,
                                        "--ca-file=" + missing)
        self.assertEqual(code, 2, self.describe(doc, result))
        self.assertTrue(result.stderr)

    @unittest.skipUnless(HAVE_DOVECOT, NO_DOVECOT)
    def test_missing_ca_file_with_live_server(self):
        # The same against the real server: still a usage error, and
        # neither side is tried (no login in dovecot's log).
        offset = len(SERVER.log())
        missing = os.path.join(HOME, "no-such-ca.pem")
        code, doc, result = self.verify(ALICE, USERS[ALICE], *servers(ca=False),
                                        "--ca-file=" + missing)
        self.assertEqual(code, 2, self.describe(doc, result))
        time.sleep(0.3)
        self.assertNotIn("user=<%s>" % ALICE, SERVER.log()[offset:])


def _interrupted(signum, frame):
    # A test runner's SIGTERM (meson on timeout): unwind, so that atexit
    # stops dovecot and removes its directory.
    raise KeyboardInterrupt


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    signal.signal(signal.SIGTERM, _interrupted)
    unittest.main(verbosity=2)
