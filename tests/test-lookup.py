#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`mail-setup lookup` (and `verify`) for addresses the catalogue does not
list, through every layer: MX records of domains hosted by Exmail, Qiye and
Aliyun; autoconfig at autoconfig.DOMAIN and DOMAIN/.well-known; the ISPDB;
the MX host's base domain; SRV records; a guess confirmed by a real
dovecot; nothing at all; entries in the ISPDB's own format (tests/ispdb/):
host names made of %EMAILDOMAIN%, POP3 only and IMAP without TLS only (SRV
and the guess still asked; the `note` says why when they find nothing),
OAuth2 only (named, never offered a password: `verify` refuses), OAuth2
beside passwords. And what the network must not be trusted with:
malformed XML, a 50 MB answer, a server slower than the deadline, a
redirect to plain HTTP, plain HTTP without consent, an IDN domain, and the
cache that makes a repeat instant.

The command line runs as tests/lookup-cli (the same CLI code, linked with a
fake resolver): DNS answers come from a key file, the well-known ports are
moved to the test's servers, and every name resolves to 127.0.0.1 or not at
all. The web servers are real HTTPS (a test CA) and HTTP servers; the mail
server is a real dovecot.

Run: python3 tests/test-lookup.py /path/to/lookup-cli"""

import atexit
import http.server
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xml.etree.ElementTree as ElementTree

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers"))

from dovecot import Dovecot  # noqa: E402

BINARY = None
TMP = None
DOVECOT = None
HTTPS = None
HTTP = None
WEB_CA = None
CA_BUNDLE = None

_SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
HAVE_DOVECOT = bool(shutil.which("dovecot", path=_SBIN_PATH) and shutil.which("certtool"))

GUESS_USER = "alice@guess.test"
GUESS_PASSWORD = "Guess-pw-4Rt8"

# The deadline of the lookups that are not about the deadline: only a guard
# against a hang. Which layer answers must not depend on how fast the
# machine is (a TLS handshake of the sanitizer build on a loaded machine
# takes seconds); nothing here waits for it when all is well.
GUARD = 60

# The names the web server's certificate is valid for.
WEB_NAMES = [
    "autoconfig.ac.test", "wk.test", "ispdb.test", "autoconfig.hoster.test",
    "autoconfig.bad.test", "autoconfig.big.test", "autoconfig.slow.test",
    "autoconfig.redir.test", "autoconfig.moved.test", "autoconfig.bighead.test",
    "autoconfig.cached.test",
]


def client_config(imap_host, smtp_host, imap_port=993, smtp_port=465):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="test">
    <domain>example.test</domain>
    <displayName>Test Mail</displayName>
    <incomingServer type="imap">
      <hostname>{imap_host}</hostname>
      <port>{imap_port}</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>{smtp_host}</hostname>
      <port>{smtp_port}</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
""".encode()


def load_ispdb():
    """tests/ispdb/*.xml by each <domain> they name, as the ISPDB serves them."""
    directory = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ispdb")
    entries = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".xml"):
            with open(os.path.join(directory, name), "rb") as f:
                contents = f.read()
            for domain in ElementTree.fromstring(contents).iter("domain"):
                entries[domain.text] = contents
    return entries


ISPDB = load_ispdb()

AUTOCONFIG = "/mail/config-v1.1.xml"
WELL_KNOWN = "/.well-known/autoconfig/mail/config-v1.1.xml"


class WebHandler(http.server.BaseHTTPRequestHandler):
    """Answers by Host and path; what each name does is the test's world."""

    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def host(self):
        return (self.headers.get("Host") or "").rsplit(":", 1)[0]

    def send(self, body, status=200, ctype="application/xml"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        host, path = self.host(), self.path.split("?")[0]
        self.server.requests.append((self.server.scheme, host, path))
        if (host, path) == ("autoconfig.ac.test", AUTOCONFIG):
            return self.send(client_config("imap.ac.test", "smtp.ac.test"))
        if (host, path) == ("autoconfig.cached.test", AUTOCONFIG):
            if self.server.cached_gone:
                return self.send(b"gone", status=500, ctype="text/plain")
            return self.send(client_config("imap.cached.test", "smtp.cached.test"))
        if (host, path) == ("wk.test", WELL_KNOWN):
            return self.send(client_config("imap.wk.test", "smtp.wk.test", 993, 465))
        if host == "ispdb.test" and path == "/v1.1/isp.test":
            return self.send(client_config("imap.isp.test", "smtp.isp.test"))
        if host == "ispdb.test" and path.startswith("/v1.1/") and path[6:] in ISPDB:
            return self.send(ISPDB[path[6:]])
        if (host, path) == ("autoconfig.hoster.test", AUTOCONFIG):
            return self.send(client_config("imap.hoster.test", "smtp.hoster.test"))
        if (host, path) == ("autoconfig.bad.test", AUTOCONFIG):
            return self.send(b"<clientConfig><emailProvider><incomingServer type='imap'>")
        if (host, path) == ("autoconfig.big.test", AUTOCONFIG):
            # 50 MB, with no length announced: the client must stop reading.
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            chunk = b"<!-- " + b"x" * 65526 + b" -->\n"
            self.server.big_sent = 0
            try:
                for _ in range(50 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
                    self.server.big_sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            finally:
                self.server.big_done.set()
            return
        if (host, path) == ("autoconfig.bighead.test", AUTOCONFIG):
            # Announces 50 MB: refused before reading.
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            try:
                self.wfile.write(b"<" * 65536)
            except OSError:
                pass
            return
        if (host, path) == ("autoconfig.slow.test", AUTOCONFIG):
            # No answer until the test is over.
            self.server.slow_release.wait(GUARD)
            return
        if (host, path) == ("autoconfig.redir.test", AUTOCONFIG) and self.server.scheme == "https":
            self.send_response(302)
            self.send_header("Location", f"http://autoconfig.redir.test:{HTTP.port}/moved.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if (host, path) == ("autoconfig.redir.test", "/moved.xml"):
            return self.send(client_config("imap.redir.test", "smtp.redir.test"))
        if (host, path) == ("autoconfig.moved.test", AUTOCONFIG):
            self.send_response(301)
            self.send_header("Location", f"https://autoconfig.ac.test:{HTTPS.port}{AUTOCONFIG}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if (host, path) == ("autoconfig.plain.test", AUTOCONFIG) and self.server.scheme == "http":
            return self.send(client_config("imap.plain.test", "smtp.plain.test"))
        return self.send(b"not here", status=404, ctype="text/plain")


class WebServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, scheme, context=None):
        super().__init__(("127.0.0.1", 0), WebHandler)
        self.scheme = scheme
        self.requests = []
        self.cached_gone = False
        self.slow_release = threading.Event()
        self.big_done = threading.Event()
        self.big_sent = 0
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True)
        self.port = self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def handle_error(self, request, client_address):
        # A lookup that has its answer stops the slower layers: their
        # connections go away mid-answer. That is expected, not news.
        pass

    def stop(self):
        self.shutdown()
        self.server_close()


def make_web_certificate(directory):
    """A test CA and a certificate for WEB_NAMES, made with certtool."""
    def p(name):
        return os.path.join(directory, name)

    def run(*args):
        subprocess.run(args, check=True, capture_output=True)

    with open(p("ca.tmpl"), "w") as f:
        f.write('cn = "Mail Setup lookup test CA"\nca\ncert_signing_key\nexpiration_days = 2\n')
    with open(p("server.tmpl"), "w") as f:
        f.write('cn = "autoconfig test server"\ntls_www_server\nencryption_key\nsigning_key\n'
                'expiration_days = 2\n')
        for name in WEB_NAMES:
            f.write(f'dns_name = "{name}"\n')
    run("certtool", "--generate-privkey", "--key-type=rsa", "--bits=2048", "--outfile", p("ca.key"))
    run("certtool", "--generate-self-signed", "--load-privkey", p("ca.key"),
        "--template", p("ca.tmpl"), "--outfile", p("ca.pem"))
    run("certtool", "--generate-privkey", "--key-type=rsa", "--bits=2048", "--outfile", p("server.key"))
    run("certtool", "--generate-certificate", "--load-privkey", p("server.key"),
        "--load-ca-certificate", p("ca.pem"), "--load-ca-privkey", p("ca.key"),
        "--template", p("server.tmpl"), "--outfile", p("server.pem"))
    return p("ca.pem"), p("server.pem"), p("server.key")


def setUpModule():
    global TMP, DOVECOT, HTTPS, HTTP, WEB_CA, CA_BUNDLE
    atexit.register(tearDownModule)
    TMP = tempfile.mkdtemp(prefix="ms-lookup-")
    WEB_CA, cert, key = make_web_certificate(TMP)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    HTTPS = WebServer("https", context)
    HTTP = WebServer("http")
    CA_BUNDLE = os.path.join(TMP, "bundle.pem")
    pems = [WEB_CA]
    if HAVE_DOVECOT:
        DOVECOT = Dovecot(users={GUESS_USER: GUESS_PASSWORD, "bob@srv.test": "Srv-pw-9Kp2"},
                          hostnames=["imap.guess.test", "mail.guess.test", "smtp.guess.test",
                                     "imap.srv.test", "smtp.srv.test",
                                     "imap.pop3only-guess.test", "smtp.pop3only-guess.test"])
        DOVECOT.start()
        pems.append(DOVECOT.ca_file)
    with open(CA_BUNDLE, "w") as out:
        for pem in pems:
            with open(pem) as f:
                out.write(f.read())


def tearDownModule():
    global TMP, DOVECOT, HTTPS, HTTP
    for server in (HTTPS, HTTP):
        if server is not None:
            server.stop()
    HTTPS = HTTP = None
    if DOVECOT is not None:
        DOVECOT.stop()
        DOVECOT = None
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)
        TMP = None


def dns_file(directory):
    """The test's DNS: MX, SRV and host records; nothing else resolves."""
    mx = {
        "exmail-hosted.test": "10 mxbiz1.qq.com;20 mxbiz2.qq.com",
        "qiye-hosted.test": "5 qiye163mx01.mxmail.netease.com;10 qiye163mx02.mxmail.netease.com",
        "aliyun-hosted.test": "5 mx1.qiye.aliyun.com",
        "hichina-hosted.test": "10 mxw.mxhichina.com;5 mxn.mxhichina.com",
        "xn--fsqu00a.test": "10 mxbiz1.qq.com",          # 例子.test
        "customer.test": "10 mx1.hoster.test",
        "bad.test": "10 mail.bad.test",
    }
    srv = {
        "_imaps._tcp.srv.test": "0 1 %d imap.srv.test",
        "_submissions._tcp.srv.test": "0 1 %d smtp.srv.test",
        "_imaps._tcp.bad.test": "0 1 %d imap.srv.test",
        "_imaps._tcp.pop3only-srv.test": "0 1 %d imap.srv.test",
        "_submissions._tcp.pop3only-srv.test": "0 1 %d smtp.srv.test",
    }
    hosts = ["autoconfig.ac.test", "wk.test", "ispdb.test", "autoconfig.hoster.test",
             "autoconfig.bad.test", "autoconfig.big.test", "autoconfig.bighead.test",
             "autoconfig.slow.test", "autoconfig.redir.test", "autoconfig.moved.test",
             "autoconfig.plain.test", "autoconfig.cached.test",
             "imap.guess.test", "smtp.guess.test", "imap.srv.test", "smtp.srv.test",
             "imap.wrongname.test", "smtp.wrongname.test",
             "imap.pop3only-guess.test", "smtp.pop3only-guess.test"]
    imaps = DOVECOT.imaps_port if DOVECOT else 9
    submissions = DOVECOT.submissions_port if DOVECOT else 9
    path = os.path.join(directory, "dns.ini")
    with open(path, "w") as f:
        f.write("[mx]\n")
        for name, value in mx.items():
            f.write(f"{name}={value}\n")
        f.write("[srv]\n")
        for name, value in srv.items():
            port = submissions if "submission" in name else imaps
            f.write(f"{name}={value % port}\n")
        f.write("[hosts]\n")
        for name in hosts:
            f.write(f"{name}=127.0.0.1\n")
    return path


class LookupTestCase(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="home-", dir=TMP)
        self.dns = dns_file(self.home)
        ports = [f"443={HTTPS.port}", f"80={HTTP.port}"]
        if DOVECOT:
            ports += [f"993={DOVECOT.imaps_port}", f"465={DOVECOT.submissions_port}",
                      f"143={DOVECOT.imap_port}", f"587={DOVECOT.submission_port}"]
        else:
            ports += ["993=9", "465=9", "143=9", "587=9"]
        self.env = dict(os.environ,
                        MS_TEST_DNS=self.dns,
                        MS_TEST_PORTS=",".join(ports),
                        MS_TEST_ISPDB=f"https://ispdb.test:{HTTPS.port}/v1.1/",
                        XDG_CACHE_HOME=os.path.join(self.home, "cache"),
                        XDG_DATA_HOME=os.path.join(self.home, "data"))

    def run_cli(self, *args, stdin=b"", timeout=2 * GUARD):
        return subprocess.run([BINARY, *args], env=self.env, input=stdin,
                              capture_output=True, timeout=timeout)

    def lookup(self, address, *args, code=0):
        if not any(a.startswith("--timeout=") for a in args):
            args += (f"--timeout={GUARD}",)
        result = self.run_cli("lookup", address, "--json", "--ca-file=" + CA_BUNDLE, *args)
        self.assertEqual(result.returncode, code, result.stderr.decode(errors="replace"))
        doc = json.loads(result.stdout)
        self.assertEqual(set(doc), {"email", "provider", "source", "imap", "smtp",
                                    "username", "detail", "problems", "note"})
        return doc

    def assertServer(self, server, host, port, security="ssl"):
        self.assertEqual((server["host"], server["port"], server["security"]),
                         (host, port, security))


class MxRecords(LookupTestCase):
    """A company domain hosted by a catalogue provider: its MX records alone
    give the provider's whole guide."""

    def check(self, domain, provider, mx):
        doc = self.lookup(f"zhang.wei@{domain}")
        self.assertEqual(doc["source"], "mx")
        self.assertEqual(doc["provider"], provider)
        self.assertEqual(doc["detail"], mx)
        self.assertEqual(doc["username"], f"zhang.wei@{domain}")
        self.assertTrue(doc["imap"] and doc["smtp"])

    def test_exmail(self):
        self.check("exmail-hosted.test", "exmail", "mxbiz1.qq.com")
        self.assertServer(self.lookup("a@exmail-hosted.test")["imap"][0], "imap.exmail.qq.com", 993)

    def test_qiye(self):
        self.check("qiye-hosted.test", "netease-qiye", "qiye163mx01.mxmail.netease.com")

    def test_aliyun(self):
        self.check("aliyun-hosted.test", "aliyun-qiye", "mx1.qiye.aliyun.com")

    def test_hichina_lowest_preference_first(self):
        self.check("hichina-hosted.test", "aliyun-qiye", "mxn.mxhichina.com")

    def test_idn_domain(self):
        doc = self.lookup("wang@例子.test")
        self.assertEqual((doc["source"], doc["provider"]), ("mx", "exmail"))

    def test_human_output_names_the_source(self):
        result = self.run_cli("lookup", "a@qiye-hosted.test")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(b"hwhzimap.qiye.163.com", result.stdout)
        self.assertIn(b"MX", result.stderr)


class Autoconfig(LookupTestCase):
    def test_autoconfig_host(self):
        doc = self.lookup("a@ac.test")
        self.assertEqual((doc["source"], doc["provider"]), ("autoconfig", None))
        self.assertServer(doc["imap"][0], "imap.ac.test", 993)
        self.assertServer(doc["smtp"][0], "smtp.ac.test", 465)
        self.assertEqual(doc["username"], "a@ac.test")
        self.assertEqual(doc["detail"], f"https://autoconfig.ac.test:{HTTPS.port}{AUTOCONFIG}")

    def test_well_known(self):
        doc = self.lookup("a@wk.test")
        self.assertEqual(doc["source"], "autoconfig")
        self.assertServer(doc["imap"][0], "imap.wk.test", 993)
        self.assertIn("/.well-known/", doc["detail"])

    def test_ispdb(self):
        doc = self.lookup("a@isp.test")
        self.assertEqual(doc["source"], "ispdb")
        self.assertServer(doc["imap"][0], "imap.isp.test", 993)

    def test_mx_base_domain(self):
        # customer.test's mail goes to mx1.hoster.test: hoster.test's
        # autoconfig answers for it.
        doc = self.lookup("a@customer.test")
        self.assertEqual(doc["source"], "autoconfig")
        self.assertServer(doc["imap"][0], "imap.hoster.test", 993)
        self.assertIn("autoconfig.hoster.test", doc["detail"])

    def test_https_redirect_followed(self):
        doc = self.lookup("a@moved.test")
        self.assertEqual(doc["source"], "autoconfig")
        self.assertServer(doc["imap"][0], "imap.ac.test", 993)

    def test_untrusted_certificate(self):
        # Without the test CA the server's certificate is unknown: refused,
        # and said so.
        result = self.run_cli("lookup", "a@ac.test", "--json", f"--timeout={GUARD}")
        self.assertEqual(result.returncode, 1, result.stderr)
        doc = json.loads(result.stdout)
        self.assertEqual(doc["source"], "none")
        self.assertTrue(any("autoconfig.ac.test" in p for p in doc["problems"]), doc)


class IspdbEntries(LookupTestCase):
    """The shapes of Thunderbird's ISPDB, in its own format."""

    def ispdb_url(self, domain):
        return f"https://ispdb.test:{HTTPS.port}/v1.1/{domain}"

    def test_hosts_made_of_the_domain(self):
        # mail.ee, inbox.lv: mail.%EMAILDOMAIN%, and the login name
        # %EMAILLOCALPART%.%EMAILDOMAIN% (iijmio-mail.jp).
        for domain in ("emaildomain.test", "emaildomain-alias.test"):
            doc = self.lookup(f"ann@{domain}")
            self.assertEqual((doc["source"], doc["provider"]), ("ispdb", None))
            self.assertEqual(doc["detail"], self.ispdb_url(domain))
            self.assertServer(doc["imap"][0], f"mail.{domain}", 993)
            self.assertServer(doc["smtp"][0], domain, 465)
            self.assertEqual(doc["username"], f"ann.{domain}")
            self.assertEqual(doc["imap"][0]["username"], f"ann.{domain}")
            self.assertEqual(doc["smtp"][0]["username"], f"ann@{domain}")
            self.assertEqual(doc["problems"], [])
            self.assertIsNone(doc["note"])

    def test_pop3_only(self):
        # centurytel.net: POP3 and SMTP. Not an answer: nothing else finds
        # an IMAP server either, so the lookup says why, and its SMTP
        # server alone is not given.
        doc = self.lookup("a@pop3only.test", code=1)
        self.assertEqual((doc["source"], doc["note"]), ("none", "pop3-only"))
        self.assertEqual((doc["imap"], doc["smtp"], doc["username"]), ([], [], None))
        self.assertEqual(doc["detail"], self.ispdb_url("pop3only.test"))
        result = self.run_cli("lookup", "a@pop3only.test", "--ca-file=" + CA_BUNDLE, f"--timeout={GUARD}")
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"only POP3", result.stderr)
        # `verify` has no IMAP server to check, and says why.
        result = self.run_cli("verify", "a@pop3only.test", "--ca-file=" + CA_BUNDLE, stdin=b"pw\n")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(b"only POP3", result.stderr)

    def test_plain_imap_only(self):
        # peoplepc.com: IMAP on 143 without TLS (and POP3 on 110).
        doc = self.lookup("a@plainimap.test", code=1)
        self.assertEqual((doc["source"], doc["note"]), ("none", "plain-imap-only"))
        self.assertEqual((doc["imap"], doc["smtp"]), ([], []))

    def test_oauth_only(self):
        # office365.com: OAuth2 on every server. Named, like the catalogue's
        # Outlook entry, and never offered a password.
        doc = self.lookup("a@oauthonly.test")
        self.assertEqual((doc["source"], doc["provider"], doc["note"]), ("ispdb", None, "oauth-only"))
        self.assertEqual([s["host"] for s in doc["imap"]], ["outlook.oauthonly.test"])
        self.assertServer(doc["smtp"][0], "smtp.oauthonly.test", 587, "starttls")
        result = self.run_cli("verify", "a@oauthonly.test", "--json", "--ca-file=" + CA_BUNDLE,
                              stdin=b"secret-pw\n")
        self.assertEqual(result.returncode, 1, result.stderr)
        verdict = json.loads(result.stdout)
        self.assertFalse(verdict["ok"])
        for side in ("imap", "smtp"):
            self.assertEqual(verdict[side]["error"], "login-disabled")
            self.assertIn("takes no password", verdict[side]["advice"])
        self.assertEqual(verdict["imap"]["server"], "outlook.oauthonly.test:993")
        # The catalogue's OAuth-only entry carries the same note.
        doc = self.lookup("a@outlook.com", "--offline")
        self.assertEqual((doc["source"], doc["provider"], doc["note"]), ("catalogue", "outlook", "oauth-only"))

    def test_mixed(self):
        # Servers with OAuth2 only are left out; those that also take a
        # password are offered.
        doc = self.lookup("a@mixed.test")
        self.assertEqual((doc["source"], doc["note"]), ("ispdb", None))
        self.assertEqual([s["host"] for s in doc["imap"]], ["imap.mixed.test"])
        self.assertEqual([s["host"] for s in doc["smtp"]], ["smtp.mixed.test"])

    @unittest.skipUnless(HAVE_DOVECOT, "dovecot or certtool not installed")
    def test_pop3_only_leaves_srv_and_the_guess_their_turn(self):
        # The same POP3-only entry, for domains with SRV records, and with
        # servers that answer a guess: they give the IMAP server.
        doc = self.lookup("bob@pop3only-srv.test")
        self.assertEqual((doc["source"], doc["note"]), ("srv", None))
        self.assertServer(doc["imap"][0], "imap.srv.test", DOVECOT.imaps_port)
        # The guess's TLS handshakes are slow with the sanitizers and busy
        # cores: lookup()'s deadline is only a guard, the answer comes as
        # soon as it is in.
        doc = self.lookup("a@pop3only-guess.test")
        self.assertEqual((doc["source"], doc["note"]), ("guess", None))
        self.assertServer(doc["imap"][0], "imap.pop3only-guess.test", DOVECOT.imaps_port)


class Hostile(LookupTestCase):
    def test_malformed_xml_is_reported_and_the_next_layer_answers(self):
        doc = self.lookup("a@bad.test")
        if DOVECOT:
            self.assertEqual(doc["source"], "srv")
        self.assertTrue(any("autoconfig.bad.test" in p for p in doc["problems"]), doc)

    def test_fifty_megabytes(self):
        HTTPS.big_done.clear()
        doc = self.lookup("a@big.test", code=1)
        self.assertEqual(doc["source"], "none")
        self.assertTrue(any("big.test" in p and "large" in p for p in doc["problems"]), doc)
        # It stopped reading: the server could not send it all.
        self.assertTrue(HTTPS.big_done.wait(GUARD))
        self.assertLess(HTTPS.big_sent, 25 * 1024 * 1024)

    def test_fifty_megabytes_announced(self):
        doc = self.lookup("a@bighead.test", code=1)
        self.assertTrue(any("bighead.test" in p and "large" in p for p in doc["problems"]), doc)

    def test_slow_server_past_the_deadline(self):
        # The server answers only when the test is over: the deadline ends
        # the lookup, not before it (how much later depends on the machine).
        HTTPS.slow_release.clear()
        try:
            start = time.monotonic()
            doc = self.lookup("a@slow.test", "--timeout=2", code=1)
            elapsed = time.monotonic() - start
        finally:
            HTTPS.slow_release.set()
        self.assertGreaterEqual(elapsed, 1.5)
        self.assertEqual(doc["source"], "none")
        self.assertTrue(any(p.startswith("autoconfig:") and "no answer within" in p
                            for p in doc["problems"]), doc)

    def test_redirect_to_http_refused(self):
        for extra in ([], ["--allow-http"]):
            doc = self.lookup("a@redir.test", *extra, code=1)
            self.assertEqual(doc["source"], "none", extra)
            self.assertTrue(any("http:" in p for p in doc["problems"]), doc)
        self.assertNotIn(("http", "autoconfig.redir.test", "/moved.xml"), HTTP.requests)

    def test_plain_http_only_with_consent(self):
        doc = self.lookup("a@plain.test", code=1)
        self.assertEqual(doc["source"], "none")
        self.assertNotIn(("http", "autoconfig.plain.test", AUTOCONFIG), HTTP.requests)
        doc = self.lookup("a@plain.test", "--allow-http")
        self.assertEqual(doc["source"], "autoconfig")
        self.assertServer(doc["imap"][0], "imap.plain.test", 993)

    def test_nothing_found(self):
        doc = self.lookup("a@nothing.test", code=1)
        self.assertEqual(doc["source"], "none")
        self.assertEqual((doc["imap"], doc["smtp"], doc["provider"]), ([], [], None))
        # Every layer said it had nothing: none was cut off by the deadline.
        self.assertEqual(doc["problems"], [])
        result = self.run_cli("lookup", "a@nothing.test")
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"nothing.test", result.stderr)

    def test_malformed_address(self):
        result = self.run_cli("lookup", "not an address", "--json")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(json.loads(result.stdout)["error"], "malformed-address")


class Cache(LookupTestCase):
    def test_repeat_comes_from_the_cache(self):
        first = self.lookup("a@cached.test")
        self.assertEqual(first["source"], "autoconfig")
        files = os.listdir(os.path.join(self.home, "cache", "mail-setup", "lookup"))
        self.assertIn("cached.test", files)
        HTTPS.cached_gone = True
        try:
            before = len(HTTPS.requests)
            second = self.lookup("b@cached.test")
            self.assertEqual(len(HTTPS.requests), before, "the repeat went to the network")
            self.assertEqual(second["source"], "autoconfig")
            self.assertEqual(second["imap"][0]["host"], "imap.cached.test")
            self.assertEqual(second["username"], "b@cached.test")
        finally:
            HTTPS.cached_gone = False

    def test_offline_uses_the_catalogue_only(self):
        result = self.run_cli("lookup", "a@exmail-hosted.test", "--json", "--offline")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(json.loads(result.stdout)["source"], "none")
        result = self.run_cli("lookup", "a@qq.com", "--json", "--offline")
        self.assertEqual(json.loads(result.stdout)["source"], "catalogue")


@unittest.skipUnless(HAVE_DOVECOT, "dovecot or certtool not installed")
class RealServer(LookupTestCase):
    def test_srv_only(self):
        doc = self.lookup("bob@srv.test")
        self.assertEqual((doc["source"], doc["provider"]), ("srv", None))
        self.assertServer(doc["imap"][0], "imap.srv.test", DOVECOT.imaps_port)
        self.assertServer(doc["smtp"][0], "smtp.srv.test", DOVECOT.submissions_port)

    def test_guess_confirmed_by_greeting_never_by_login(self):
        offset = len(DOVECOT.log())
        doc = self.lookup(GUESS_USER)
        self.assertEqual((doc["source"], doc["provider"]), ("guess", None))
        self.assertServer(doc["imap"][0], "imap.guess.test", DOVECOT.imaps_port)
        self.assertServer(doc["smtp"][0], "smtp.guess.test", DOVECOT.submissions_port)
        # dovecot logs every login attempt with the user name; the guess's
        # connections (imap. and smtp. on both ports each: mail.guess.test
        # does not resolve) end with "no auth attempts". It logs them after
        # they close: wait for all four.
        deadline = time.monotonic() + GUARD
        while True:
            log = DOVECOT.log()[offset:]
            disconnects = [line for line in log.splitlines() if "Disconnected" in line]
            if len(disconnects) >= 4 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(len(disconnects), 4, log)
        for line in disconnects:
            self.assertIn("no auth attempts", line)
        self.assertNotRegex(log, r"user=<[^>]")
        self.assertNotIn("auth failed", log)

    def test_guess_needs_a_valid_certificate(self):
        # wrongname.test's hosts answer, but the certificate is not theirs.
        doc = self.lookup("a@wrongname.test", code=1)
        self.assertEqual(doc["source"], "none")

    def test_verify_uses_the_lookup(self):
        # `verify` of a domain only SRV knows: the password reaches dovecot
        # over TLS and works.
        result = self.run_cli("verify", "bob@srv.test", "--json", "--ca-file=" + CA_BUNDLE,
                              f"--timeout={GUARD}",
                              stdin=b"Srv-pw-9Kp2\n")
        doc = json.loads(result.stdout)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(doc["ok"])
        self.assertEqual(doc["imap"]["server"], f"imap.srv.test:{DOVECOT.imaps_port}")
        self.assertNotIn(b"Srv-pw-9Kp2", result.stdout + result.stderr)


def _interrupted(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    signal.signal(signal.SIGTERM, _interrupted)
    unittest.main(verbosity=2)
