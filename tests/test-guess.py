#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The guess layer (ms_guess_probe_async) against a real dovecot
(tests/servers/dovecot.py), through tests/guess-probe.c: the driver gives
made-up names (imap.guess.test, …) the address 127.0.0.1 with a
FakeResolver, and the certificate carries those names.

Confirmed: implicit TLS IMAP and SMTP, STARTTLS IMAP (the relayed plain
port) and submission, all of ms_guess_candidates() for a domain.  Not
confirmed: a name the certificate is not for (implicit TLS and STARTTLS),
a certificate from an authority not trusted, a closed port, a name that
does not resolve, a port that accepts and never speaks (within the
deadline, while the others are); nothing confirmed is NOT_FOUND, naming
what was tried; cancelling ends the probe at once.  After every run,
dovecot's log must show no authentication attempt on any connection, and
the plain ports must have seen nothing but STARTTLS (and EHLO) before TLS.

Run: python3 tests/test-guess.py /path/to/guess-probe
Skipped when dovecot is not installed (Debian: dovecot-imapd,
dovecot-submissiond; and certtool: gnutls-bin)."""

import atexit
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers"))

from dovecot import Dovecot, _Service  # noqa: E402

DRIVER = None
SERVER = None
SILENT = None

_SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
HAVE_DOVECOT = bool(shutil.which("dovecot", path=_SBIN_PATH) and shutil.which("certtool"))
NO_DOVECOT = "dovecot (dovecot-imapd, dovecot-submissiond) or certtool (gnutls-bin) not installed"

DOMAIN = "guess.test"
NAMES = ["imap." + DOMAIN, "mail." + DOMAIN, "smtp." + DOMAIN]
WRONG = "other." + DOMAIN           # resolves to 127.0.0.1, not in the certificate

# The user exists so that dovecot starts; no probe may ever use it.
USERS = {"guess@guess.test": "Guess-pw-never-sent-4Rt"}

EXIT_NOT_FOUND = 2
EXIT_CANCELLED = 3


class _Silent(_Service):
    """Accepts connections and never says a word."""

    def __init__(self):
        super().__init__("silent")

    def _serve(self, sock):
        self._stop.wait()


def setUpModule():
    global SERVER, SILENT
    atexit.register(tearDownModule)     # also when interrupted
    if HAVE_DOVECOT:
        server = Dovecot(users=USERS, hostnames=NAMES)
        server.start()          # raises with dovecot's log on failure
        SERVER = server
        SILENT = _Silent()


def tearDownModule():
    global SERVER, SILENT
    if SILENT is not None:
        SILENT.close()
        SILENT = None
    if SERVER is not None:
        SERVER.stop()
        SERVER = None


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cand(protocol, host, port, security):
    return "%s:%s:%d:%s" % (protocol, host, port, security)


@unittest.skipUnless(HAVE_DOVECOT, NO_DOVECOT)
class GuessTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.log_start = len(SERVER.log())
        self.sessions_start = {k: len(v) for k, v in SERVER.plain_sessions().items()}
        self.connections = 0      # how many reach dovecot's login processes

    def tearDown(self):
        self.check_no_auth()

    def probe(self, *candidates, timeout_ms=5000, ca=True, hosts=None, extra=()):
        args = [DRIVER, "--timeout-ms", str(timeout_ms)]
        if ca:
            args += ["--ca-file", SERVER.ca_file]
        for name in hosts if hosts is not None else NAMES + [WRONG]:
            args += ["--host", name + "=127.0.0.1"]
        for c in candidates:
            args += ["--candidate", c]
        args += list(extra)
        started = time.monotonic()
        result = subprocess.run(args, capture_output=True, timeout=60)
        elapsed = time.monotonic() - started
        err = result.stderr.decode("utf-8", errors="replace")
        try:
            out = json.loads(result.stdout)
        except ValueError:
            self.fail("no JSON from guess-probe (exit %d):\n%s\n%s"
                      % (result.returncode, result.stdout.decode(errors="replace"), err))
        self.assertNotIn(USERS["guess@guess.test"], err)
        return result.returncode, out, elapsed, err

    def confirmed(self, out):
        return [(c["protocol"], c["host"], c["port"], c["security"]) for c in out["confirmed"]]

    def check_no_auth(self):
        """dovecot saw no authentication attempt: every login-process line
        since setUp says "no auth attempts" with an empty user, and no
        auth process logged anything.  Waits (briefly) for the lines of
        the connections the test made, which are logged as they close."""
        deadline = time.monotonic() + 5
        while True:
            log = SERVER.log()[self.log_start:]
            lines = [l for l in log.splitlines() if "-login:" in l]
            if len(lines) >= self.connections or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertGreaterEqual(len(lines), self.connections, log)
        for line in lines:
            # A client that drops the connection during the TLS handshake
            # (an untrusted certificate) is logged as gone "before auth was
            # ready": no attempt either.
            self.assertRegex(line, r"no auth attempts|disconnected before auth was ready")
            self.assertIn("user=<>", line)
        for line in log.splitlines():
            self.assertIsNone(re.search(r"\bauth(-worker)?(\(|:)|passwd-file|method=|Login: ", line),
                              line)
        # Before TLS, the plain ports saw STARTTLS (and EHLO) only.
        sessions = SERVER.plain_sessions()
        for port, start in self.sessions_start.items():
            for sent in sessions[port][start:]:
                for word in (b"LOGIN", b"AUTH", USERS["guess@guess.test"].encode()):
                    self.assertNotIn(word, sent, "%s port" % port)
                tls = sent.find(b"\x16\x03")      # the ClientHello's record
                clear = sent if tls < 0 else sent[:tls]
                for line in clear.split(b"\r\n"):
                    self.assertIn(line, (b"", b"a STARTTLS", b"STARTTLS", b"EHLO [127.0.0.1]"),
                                  "%s port: %r" % (port, sent[:200]))


class Confirmed(GuessTestCase):

    def test_implicit_tls(self):
        status, out, _, err = self.probe(
            cand("imap", "imap.guess.test", SERVER.imaps_port, "ssl"),
            cand("smtp", "smtp.guess.test", SERVER.submissions_port, "ssl"))
        self.connections = 2
        self.assertEqual(status, 0, err)
        self.assertIsNone(out["error"])
        self.assertEqual(self.confirmed(out), [
            ("imap", "imap.guess.test", SERVER.imaps_port, "ssl"),
            ("smtp", "smtp.guess.test", SERVER.submissions_port, "ssl")])
        # The username rule of a guessed server: the whole address.
        self.assertEqual({c["username"] for c in out["confirmed"]}, {"%EMAILADDRESS%"})

    def test_starttls(self):
        status, out, _, err = self.probe(
            cand("imap", "imap.guess.test", SERVER.imap_port, "starttls"),
            cand("smtp", "mail.guess.test", SERVER.submission_port, "starttls"))
        self.connections = 2
        self.assertEqual(status, 0, err)
        self.assertEqual(self.confirmed(out), [
            ("imap", "imap.guess.test", SERVER.imap_port, "starttls"),
            ("smtp", "mail.guess.test", SERVER.submission_port, "starttls")])
        # Exactly this crossed in clear, then TLS.
        sessions = SERVER.plain_sessions()
        imap = sessions["imap"][self.sessions_start["imap"]:]
        smtp = sessions["submission"][self.sessions_start["submission"]:]
        self.assertEqual(len(imap), 1)
        self.assertEqual(len(smtp), 1)
        self.assertTrue(imap[0].startswith(b"a STARTTLS\r\n\x16\x03"), imap[0][:40])
        self.assertTrue(smtp[0].startswith(b"EHLO [127.0.0.1]\r\nSTARTTLS\r\n\x16\x03"), smtp[0][:40])

    def test_domain_candidates(self):
        """ms_guess_candidates() for the domain, ports mapped to dovecot's:
        every candidate is confirmed, in the candidates' order."""
        ports = {"imap": [("993", SERVER.imaps_port), ("143", SERVER.imap_port)],
                 "smtp": [("465", SERVER.submissions_port), ("587", SERVER.submission_port)]}
        for protocol, maps in ports.items():
            with self.subTest(protocol=protocol):
                extra = ["--domain", DOMAIN, "--protocol", protocol]
                for standard, port in maps:
                    extra += ["--map-port", "%s=%d" % (standard, port)]
                status, out, _, err = self.probe(extra=extra)
                self.connections += 4
                self.assertEqual(status, 0, err)
                first = "imap.guess.test" if protocol == "imap" else "smtp.guess.test"
                ssl, starttls = maps[0][1], maps[1][1]
                self.assertEqual(self.confirmed(out), [
                    (protocol, first, ssl, "ssl"),
                    (protocol, "mail.guess.test", ssl, "ssl"),
                    (protocol, first, starttls, "starttls"),
                    (protocol, "mail.guess.test", starttls, "starttls")])


class NotConfirmed(GuessTestCase):

    def test_wrong_name(self):
        """A certificate not for the name: neither with implicit TLS nor
        after STARTTLS; the right name on the same ports is."""
        status, out, _, err = self.probe(
            cand("imap", WRONG, SERVER.imaps_port, "ssl"),
            cand("imap", "imap.guess.test", SERVER.imaps_port, "ssl"),
            cand("imap", WRONG, SERVER.imap_port, "starttls"),
            cand("smtp", WRONG, SERVER.submission_port, "starttls"),
            cand("smtp", WRONG, SERVER.submissions_port, "ssl"))
        self.connections = 5
        self.assertEqual(status, 0, err)
        self.assertEqual(self.confirmed(out),
                         [("imap", "imap.guess.test", SERVER.imaps_port, "ssl")])
        self.assertRegex(err, r"other\.guess\.test:%d \(ssl\): .*not for other\.guess\.test"
                         % SERVER.imaps_port)

    def test_untrusted_authority(self):
        status, out, _, err = self.probe(
            cand("imap", "imap.guess.test", SERVER.imaps_port, "ssl"),
            cand("smtp", "smtp.guess.test", SERVER.submission_port, "starttls"),
            ca=False)
        self.connections = 2
        self.assertEqual(status, EXIT_NOT_FOUND, err)
        self.assertEqual(out["confirmed"], [])
        self.assertIn("not issued by an authority", out["error"]["message"])

    def test_closed_port(self):
        port = closed_port()
        status, out, _, err = self.probe(
            cand("imap", "imap.guess.test", port, "ssl"),
            cand("imap", "mail.guess.test", SERVER.imaps_port, "ssl"))
        self.connections = 1
        self.assertEqual(status, 0, err)
        self.assertEqual(self.confirmed(out),
                         [("imap", "mail.guess.test", SERVER.imaps_port, "ssl")])

    def test_unresolvable(self):
        status, out, _, err = self.probe(
            cand("imap", "nowhere.guess.test", SERVER.imaps_port, "ssl"))
        self.assertEqual(status, EXIT_NOT_FOUND, err)
        self.assertIn("nowhere.guess.test", out["error"]["message"])

    def test_silent_port(self):
        """Servers that never speak do not hold up the others' answer
        beyond the deadline, and are not confirmed."""
        status, out, elapsed, err = self.probe(
            cand("imap", "imap.guess.test", SILENT.port, "ssl"),
            cand("imap", "mail.guess.test", SILENT.port, "starttls"),
            cand("smtp", "smtp.guess.test", SILENT.port, "starttls"),
            cand("imap", "imap.guess.test", SERVER.imaps_port, "ssl"),
            cand("smtp", "smtp.guess.test", SERVER.submission_port, "starttls"),
            timeout_ms=1500)
        self.connections = 2
        self.assertEqual(status, 0, err)
        self.assertEqual(self.confirmed(out), [
            ("imap", "imap.guess.test", SERVER.imaps_port, "ssl"),
            ("smtp", "smtp.guess.test", SERVER.submission_port, "starttls")])
        self.assertGreaterEqual(out["elapsed_ms"], 1400)
        self.assertLess(elapsed, 6, "the deadline was not kept")

    def test_nothing_confirmed(self):
        port = closed_port()
        status, out, elapsed, err = self.probe(
            cand("imap", "imap.guess.test", port, "ssl"),
            cand("imap", WRONG, SERVER.imaps_port, "ssl"),
            cand("smtp", "smtp.guess.test", SILENT.port, "ssl"),
            timeout_ms=1000)
        self.connections = 1
        self.assertEqual(status, EXIT_NOT_FOUND, err)
        self.assertEqual(out["confirmed"], [])
        self.assertEqual(out["error"]["domain"], "ms-lookup-error-quark")
        self.assertEqual(out["error"]["code"], 0)    # MS_LOOKUP_ERROR_NOT_FOUND
        message = out["error"]["message"]
        # Every candidate is named, with why it failed.
        self.assertIn("imap imap.guess.test:%d (ssl)" % port, message)
        self.assertIn("imap %s:%d (ssl)" % (WRONG, SERVER.imaps_port), message)
        self.assertIn("smtp smtp.guess.test:%d (ssl): no answer in time" % SILENT.port, message)
        self.assertLess(elapsed, 6)

    def test_cancelled(self):
        status, out, elapsed, err = self.probe(
            cand("imap", "imap.guess.test", SILENT.port, "ssl"),
            cand("smtp", "smtp.guess.test", SILENT.port, "starttls"),
            timeout_ms=10000, extra=["--cancel-after-ms", "300"])
        self.assertEqual(status, EXIT_CANCELLED, err)
        self.assertEqual(out["confirmed"], [])
        self.assertLess(out["elapsed_ms"], 2000)
        self.assertLess(elapsed, 5)


def main():
    global DRIVER
    if len(sys.argv) < 2:
        print("usage: %s /path/to/guess-probe [unittest options]" % sys.argv[0], file=sys.stderr)
        return 2
    DRIVER = os.path.abspath(sys.argv.pop(1))
    program = unittest.main(exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
