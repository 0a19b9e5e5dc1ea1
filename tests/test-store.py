#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`mail-setup verify … --store=keyring --store=goa` and `mail-setup forget`
against a real gnome-keyring-daemon (Secret Service) and a real goa-daemon
(GNOME Online Accounts) on a private D-Bus session, with the logins checked
against a real dovecot (tests/servers/dovecot.py).

Run inside the session tests/run-in-session.sh makes:

    tests/run-in-session.sh -- python3 tests/test-store.py /path/to/mail-setup

(run without it, the script starts itself that way).  The situations
without a Secret Service, without goa-daemon and with a locked keyring
each run mail-setup in a session of their own: a nested
`run-in-session.sh --no-keyring|--locked-keyring|--no-goa -- mail-setup …`.

What is stored is read back with the daemons' own interfaces: secret-tool
(lookup, search --all), org.freedesktop.Secret.Service.SearchItems and the
items' Attributes, goa's ObjectManager and PasswordBased.GetPassword, and
goa's accounts.conf.  busctl (systemd) is used to get D-Bus replies as JSON.

Every run checks that the password is in neither stdout nor stderr (the
JSON included); no assertion message ever shows a password."""

import atexit
import base64
import configparser
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))

from dovecot import Dovecot  # noqa: E402

SESSION_SCRIPT = os.path.join(HERE, "run-in-session.sh")
BINARY = None
SERVER = None

_SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
HAVE_DOVECOT = bool(shutil.which("dovecot", path=_SBIN_PATH) and shutil.which("certtool"))
NO_DOVECOT = "dovecot (dovecot-imapd, dovecot-submissiond) or certtool (gnutls-bin) not installed"
HAVE_TOOLS = bool(shutil.which("secret-tool") and shutil.which("busctl")
                  and shutil.which("dbus-run-session") and shutil.which("gdbus"))
NO_TOOLS = "secret-tool (libsecret-tools), busctl (systemd), dbus-run-session or gdbus missing"
HAVE_KEYRING_DAEMON = bool(shutil.which("gnome-keyring-daemon"))
HAVE_GOA_DAEMON = os.path.exists("/usr/libexec/goa-daemon")

ALICE = "alice@example.com"
BOB = "bob@example.com"
USERS = {
    # A double quote, spaces and non-ASCII: what the keyring and goa get
    # must be exactly these bytes.
    ALICE: 'St"ore pw 密码-Kq7v',
    BOB: "Bob-store-pw-W3n8",
}
WRONG = "Wrong-store-pw-Hh5r"

NETWORK_SCHEMA = "org.gnome.keyring.NetworkPassword"   # SECRET_SCHEMA_COMPAT_NETWORK
SECRETS = "org.freedesktop.secrets"
GOA = "org.gnome.OnlineAccounts"
GOA_ACCOUNTS = "/org/gnome/OnlineAccounts/Accounts/"

RUN_TIMEOUT = 60        # any one run, mail-setup's own deadline included
TOOL_TIMEOUT = 20       # secret-tool, busctl


def setUpModule():
    global SERVER
    atexit.register(tearDownModule)     # also when interrupted
    if HAVE_DOVECOT:
        server = Dovecot(users=USERS)
        server.start()          # raises with dovecot's log on failure
        SERVER = server


def tearDownModule():
    global SERVER
    if SERVER is not None:
        SERVER.stop()
        SERVER = None


# -- helpers: the session's tools -------------------------------------------

def tool_env():
    """The environment for secret-tool and busctl: the test suite's
    G_DEBUG=fatal-warnings is for mail-setup, not for them."""
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env.pop("G_MESSAGES_DEBUG", None)
    return env


def tool(*argv, stdin=b""):
    return subprocess.run(list(argv), capture_output=True, input=stdin,
                          env=tool_env(), timeout=TOOL_TIMEOUT)


def bus(*args, check=True):
    """busctl on this session's bus; its reply as JSON (None if empty)."""
    result = tool("busctl", "--address=" + os.environ["DBUS_SESSION_BUS_ADDRESS"],
                  "--json=short", "--timeout=10", *args)
    if check and result.returncode != 0:
        raise AssertionError("busctl %s failed (%d): %s" % (
            " ".join(args[:4]), result.returncode,
            result.stderr.decode("utf-8", errors="replace").strip()))
    if result.returncode != 0 or not result.stdout.strip():
        return None
    return json.loads(result.stdout)


def name_has_owner(name):
    if "DBUS_SESSION_BUS_ADDRESS" not in os.environ or not shutil.which("busctl"):
        return False
    reply = bus("call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "NameHasOwner", "s", name, check=False)
    return bool(reply and reply["data"][0])


def secret_attrs(protocol, user, server="localhost", port=None):
    attrs = ["protocol", protocol, "server", server, "user", user]
    if port is not None:
        attrs += ["port", str(port)]
    return attrs


def secret_lookup(protocol, user, port=None):
    """(exit status, stdout bytes) of `secret-tool lookup …`."""
    result = tool("secret-tool", "lookup", *secret_attrs(protocol, user, port=port))
    return result.returncode, result.stdout


def secret_search_count(*attrs):
    """How many items `secret-tool search --all ATTRS` lists."""
    result = tool("secret-tool", "search", "--all", *attrs)
    lines = result.stdout.decode("utf-8", errors="replace").splitlines()
    return sum(1 for line in lines if line.startswith("[/"))


def secret_items(*attrs):
    """{item path: attributes} of the Secret Service's SearchItems
    (unlocked and locked items alike)."""
    pairs = [attrs[i:i + 2] for i in range(0, len(attrs), 2)]
    reply = bus("call", SECRETS, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
                "SearchItems", "a{ss}", str(len(pairs)), *[s for p in pairs for s in p])
    unlocked, locked = reply["data"]
    items = {}
    for path in unlocked + locked:
        got = bus("get-property", SECRETS, path, "org.freedesktop.Secret.Item", "Attributes")
        items[path] = got["data"]
    return items


def secret_clear(user):
    for protocol in ("imap", "smtp"):
        tool("secret-tool", "clear", "protocol", protocol, "user", user)


def goa_objects():
    """{object path: {interface: {property: value}}} of goa-daemon."""
    reply = bus("call", GOA, "/org/gnome/OnlineAccounts", "org.freedesktop.DBus.ObjectManager",
                "GetManagedObjects")
    objects = {}
    for path, interfaces in reply["data"][0].items():
        objects[path] = {name: {key: value["data"] for key, value in props.items()}
                         for name, props in interfaces.items()}
    return objects


def goa_accounts_for(address, objects=None):
    """Account objects that are about address: as the Mail interface's
    EmailAddress or as the account's (presentation) identity."""
    if objects is None:
        objects = goa_objects()
    found = []
    for path, interfaces in objects.items():
        if not path.startswith(GOA_ACCOUNTS):
            continue
        mail = interfaces.get("org.gnome.OnlineAccounts.Mail", {})
        account = interfaces.get("org.gnome.OnlineAccounts.Account", {})
        if address in (mail.get("EmailAddress"), account.get("Identity"),
                       account.get("PresentationIdentity")):
            found.append(path)
    return sorted(found)


def goa_password(path, which):
    reply = bus("call", GOA, path, "org.gnome.OnlineAccounts.PasswordBased", "GetPassword",
                "s", which)
    return reply["data"][0]


def goa_remove_all(address):
    paths = goa_accounts_for(address)
    for path in paths:
        bus("call", GOA, path, "org.gnome.OnlineAccounts.Account", "Remove", check=False)
    deadline = time.monotonic() + 10
    while paths and time.monotonic() < deadline:
        paths = goa_accounts_for(address)
        if paths:
            time.sleep(0.1)
    if paths:
        raise AssertionError("goa accounts for %s not removed: %s" % (address, paths))


def goa_accounts_conf():
    path = os.path.join(os.environ["XDG_CONFIG_HOME"], "goa-1.0", "accounts.conf")
    if not os.path.exists(path):
        return path, ""
    with open(path, encoding="utf-8") as f:
        return path, f.read()


def leak_forms(user, password):
    """How a password could show up in output: as is, JSON-escaped,
    quoted, in base64 and inside SASL PLAIN's base64."""
    forms = {password, json.dumps(password)[1:-1], json.dumps(password, ensure_ascii=False)[1:-1],
             password.replace("\\", "\\\\").replace('"', '\\"'),
             base64.b64encode(password.encode()).decode()}
    for blob in ("\0%s\0%s" % (user, password), "%s\0%s\0%s" % (user, user, password)):
        forms.add(base64.b64encode(blob.encode()).decode())
    return {f for f in forms if f.strip()}


# -- the test case ------------------------------------------------------------

class StoreTestCase(unittest.TestCase):
    maxDiff = None

    def run_ms(self, *args, stdin=b"", session=None):
        """Runs mail-setup ARGS; in a session of its own when session is a
        list of run-in-session.sh options.  Checks that no password of the
        tests shows up in stdout or stderr; returns (exit status, JSON or
        None, result, seconds)."""
        argv = [BINARY, *args]
        if session is not None:
            argv = [SESSION_SCRIPT, *session, "--", *argv]
        env = dict(os.environ)
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        start = time.monotonic()
        result = subprocess.run(argv, capture_output=True, env=env, input=stdin,
                                timeout=RUN_TIMEOUT)
        seconds = time.monotonic() - start
        out = result.stdout.decode("utf-8", errors="replace")
        err = result.stderr.decode("utf-8", errors="replace")
        for user, password in list(USERS.items()) + [(ALICE, WRONG), (BOB, WRONG)]:
            for form in leak_forms(user, password):
                self.assertNotIn(form, out, "a password is in stdout of %s" % args[0])
                self.assertNotIn(form, err, "a password is in stderr of %s" % args[0])
        doc = None
        if "--json" in args and result.stdout.strip():
            try:
                doc = json.loads(result.stdout)
            except ValueError:
                self.fail("stdout is not JSON (exit %d):\n%s\nstderr:\n%s"
                          % (result.returncode, out, err))
        return result.returncode, doc, result, seconds

    def verify(self, address, *stores, password=None, security="ssl", session=None,
               extra=()):
        """`verify ADDRESS --imap … --smtp … --ca-file … STORES --json`,
        the password (default: the user's right one) on standard input."""
        if password is None:
            password = USERS[address]
        if security == "ssl":
            ports = (SERVER.imaps_port, SERVER.submissions_port)
            sec = []
        else:
            ports = (SERVER.imap_port, SERVER.submission_port)
            sec = ["--imap-security=starttls", "--smtp-security=starttls"]
        args = ["verify", address, "--imap=localhost:%d" % ports[0],
                "--smtp=localhost:%d" % ports[1], *sec, "--ca-file=" + SERVER.ca_file,
                *["--store=" + s for s in stores], *extra, "--json"]
        return self.run_ms(*args, stdin=(password + "\n").encode(), session=session)

    def forget(self, address, session=None, json_output=True):
        args = ["forget", address] + (["--json"] if json_output else [])
        return self.run_ms(*args, session=session)

    def describe(self, doc, result, seconds=None):
        text = "exit %d" % result.returncode
        if seconds is not None:
            text += " after %.1f s" % seconds
        return "%s\nstdout: %s\nstderr: %s" % (
            text, json.dumps(doc, ensure_ascii=False, indent=1) if doc is not None
            else result.stdout.decode("utf-8", errors="replace"),
            result.stderr.decode("utf-8", errors="replace"))

    # -- assertions ---------------------------------------------------------

    def assertLoginsOk(self, doc, why):
        self.assertIsNotNone(doc, why)
        for side in ("imap", "smtp"):
            self.assertIsInstance(doc.get(side), dict, why)
            self.assertIs(doc[side]["ok"], True, why)

    def assertEntry(self, entry, expected, why):
        """entry has exactly expected's values; any other member is null,
        but for a "message", which may say something (a string)."""
        self.assertIsInstance(entry, dict, why)
        if entry.get("message") is not None:
            self.assertIsInstance(entry["message"], str, why)
            self.assertTrue(entry["message"].strip(), why)
            expected = dict(expected, message=entry["message"])
        for key, value in expected.items():
            self.assertIn(key, entry, why)
            if isinstance(value, bool):
                self.assertIs(entry[key], value, "%s: %s\n%s" % (key, entry[key], why))
            else:
                self.assertEqual(entry[key], value, "%s\n%s" % (key, why))
        for key in set(entry) - set(expected):
            self.assertIsNone(entry[key], "unexpected non-null %r\n%s" % (key, why))

    def assertStoreFailed(self, entry, where, why):
        self.assertIsInstance(entry, dict, why)
        self.assertEqual(entry.get("where"), where, why)
        self.assertIs(entry.get("ok"), False, why)
        self.assertEqual(entry.get("error"), "store-failed", why)
        self.assertIsInstance(entry.get("message"), str, why)
        self.assertTrue(entry["message"].strip(), why)

    def keyring_entries(self, doc):
        return sorted((e for e in doc["stored"] if e.get("where") == "keyring"),
                      key=lambda e: str(e.get("protocol")))

    def assertKeyringStored(self, doc, user, security, why):
        imap_port, smtp_port = ((SERVER.imaps_port, SERVER.submissions_port) if security == "ssl"
                                else (SERVER.imap_port, SERVER.submission_port))
        entries = self.keyring_entries(doc)
        self.assertEqual(len(entries), 2, why)
        self.assertEntry(entries[0], {"where": "keyring", "ok": True, "protocol": "imap",
                                      "server": "localhost", "port": imap_port, "user": user}, why)
        self.assertEntry(entries[1], {"where": "keyring", "ok": True, "protocol": "smtp",
                                      "server": "localhost", "port": smtp_port, "user": user}, why)
        return imap_port, smtp_port

    def assertKeyringHolds(self, user, password, imap_port, smtp_port):
        """Exactly one item per protocol for user, with the network schema's
        attributes, whose secret is exactly password (no newline)."""
        expected = password.encode("utf-8")
        for protocol, port in (("imap", imap_port), ("smtp", smtp_port)):
            for with_port in (None, port):
                rc, secret = secret_lookup(protocol, user, port=with_port)
                self.assertEqual(rc, 0, "secret-tool lookup %s (port %s) found nothing"
                                 % (protocol, with_port))
                self.assertTrue(secret == expected,
                                "secret-tool lookup %s (port %s) gave %d bytes, not exactly "
                                "the password (%d bytes)" % (protocol, with_port, len(secret),
                                                             len(expected)))
            self.assertEqual(secret_search_count(*secret_attrs(protocol, user)), 1,
                             "secret-tool search --all: not exactly one %s item" % protocol)
            items = secret_items(*secret_attrs(protocol, user))
            self.assertEqual(len(items), 1, items)
            attrs = next(iter(items.values()))
            self.assertEqual(attrs.get("xdg:schema"), NETWORK_SCHEMA, attrs)
            self.assertEqual(attrs.get("user"), user, attrs)
            self.assertEqual(attrs.get("server"), "localhost", attrs)
            self.assertEqual(attrs.get("protocol"), protocol, attrs)
            self.assertEqual(attrs.get("port"), str(port), attrs)
        # Nothing else was stored under the user's name.
        self.assertEqual(len(secret_items("user", user)), 2)

    def assertKeyringEmpty(self, user):
        for protocol in ("imap", "smtp"):
            rc, secret = secret_lookup(protocol, user)
            self.assertNotEqual(rc, 0, "secret-tool lookup %s found an item for %s"
                                % (protocol, user))
            self.assertEqual(secret, b"", "secret-tool lookup %s printed something" % protocol)
            self.assertEqual(secret_search_count(*secret_attrs(protocol, user)), 0)
        self.assertEqual(secret_items("user", user), {})


def in_session():
    return "MS_TEST_SESSION_TMP" in os.environ and "DBUS_SESSION_BUS_ADDRESS" in os.environ


def needs(keyring=False, goa=False):
    """Skips a class unless dovecot, the tools and the daemons are here."""
    def decorate(cls):
        if not HAVE_DOVECOT:
            return unittest.skip(NO_DOVECOT)(cls)
        if not HAVE_TOOLS:
            return unittest.skip(NO_TOOLS)(cls)
        if keyring and not HAVE_KEYRING_DAEMON:
            return unittest.skip("gnome-keyring-daemon (gnome-keyring) not installed")(cls)
        if goa and not HAVE_GOA_DAEMON:
            return unittest.skip("goa-daemon (gnome-online-accounts) not installed")(cls)
        return cls
    return decorate


class SessionTestCase(StoreTestCase):
    """Runs in run-in-session.sh's session (keyring unlocked, goa-daemon
    up); starts every test with nothing stored for alice and bob."""

    def setUp(self):
        if not in_session():
            self.skipTest("not run by tests/run-in-session.sh")
        if not name_has_owner(SECRETS):
            self.skipTest("no Secret Service on the session bus")
        for user in USERS:
            secret_clear(user)
            if name_has_owner(GOA):
                goa_remove_all(user)
        for user in USERS:
            self.assertEqual(secret_items("user", user), {})

    def tearDown(self):
        if in_session() and name_has_owner(SECRETS):
            for user in USERS:
                secret_clear(user)
        if in_session() and name_has_owner(GOA):
            for user in USERS:
                goa_remove_all(user)


@needs(keyring=True)
class StoreKeyring(SessionTestCase):
    def test_store_keyring(self):
        code, doc, result, seconds = self.verify(ALICE, "keyring")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertLoginsOk(doc, why)
        self.assertIs(doc["ok"], True, why)
        self.assertEqual(doc["email"], ALICE, why)
        self.assertEqual(len(doc["stored"]), 2, why)
        ports = self.assertKeyringStored(doc, ALICE, "ssl", why)
        self.assertKeyringHolds(ALICE, USERS[ALICE], *ports)
        self.assertKeyringEmpty(BOB)

    def test_store_keyring_starttls(self):
        # The port stored is the one that was checked.
        code, doc, result, seconds = self.verify(ALICE, "keyring", security="starttls")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertLoginsOk(doc, why)
        ports = self.assertKeyringStored(doc, ALICE, "starttls", why)
        self.assertEqual(ports, (SERVER.imap_port, SERVER.submission_port))
        self.assertKeyringHolds(ALICE, USERS[ALICE], *ports)

    def test_store_keyring_twice_updates(self):
        for attempt in (1, 2):
            code, doc, result, seconds = self.verify(ALICE, "keyring")
            why = "run %d: %s" % (attempt, self.describe(doc, result, seconds))
            self.assertEqual(code, 0, why)
            ports = self.assertKeyringStored(doc, ALICE, "ssl", why)
            with self.subTest(attempt=attempt):
                self.assertKeyringHolds(ALICE, USERS[ALICE], *ports)

    def test_store_keyring_store_option_repeated(self):
        # --store=keyring twice is still one item per login.
        code, doc, result, seconds = self.verify(ALICE, "keyring", "keyring")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertKeyringHolds(ALICE, USERS[ALICE], SERVER.imaps_port, SERVER.submissions_port)

    def test_two_users(self):
        for user in (ALICE, BOB):
            code, doc, result, seconds = self.verify(user, "keyring")
            why = self.describe(doc, result, seconds)
            self.assertEqual(code, 0, why)
            self.assertKeyringStored(doc, user, "ssl", why)
        for user in (ALICE, BOB):
            with self.subTest(user=user):
                self.assertKeyringHolds(user, USERS[user], SERVER.imaps_port,
                                        SERVER.submissions_port)

    def test_no_store_option_stores_nothing(self):
        code, doc, result, seconds = self.verify(ALICE)
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertEqual(doc["stored"], [], why)
        self.assertKeyringEmpty(ALICE)


@needs(keyring=True, goa=True)
class StoreGoa(SessionTestCase):
    def setUp(self):
        super().setUp()
        if not name_has_owner(GOA):
            self.skipTest("no goa-daemon on the session bus")

    def goa_entry(self, doc, why):
        entries = [e for e in doc["stored"] if e.get("where") == "goa"]
        self.assertEqual(len(entries), 1, why)
        entry = entries[0]
        self.assertIsInstance(entry.get("account"), str, why)
        self.assertTrue(entry["account"].startswith(GOA_ACCOUNTS), why)
        return entry

    def assertGoaAccount(self, path, address, security="ssl"):
        objects = goa_objects()
        self.assertIn(path, objects)
        interfaces = objects[path]
        why = json.dumps(interfaces, indent=1, ensure_ascii=False)
        for name in ("org.gnome.OnlineAccounts.Account", "org.gnome.OnlineAccounts.Mail",
                     "org.gnome.OnlineAccounts.PasswordBased"):
            self.assertIn(name, interfaces, why)
        account = interfaces["org.gnome.OnlineAccounts.Account"]
        mail = interfaces["org.gnome.OnlineAccounts.Mail"]
        self.assertEqual(account["ProviderType"], "imap_smtp", why)
        self.assertIs(account["MailDisabled"], False, why)
        self.assertEqual(mail["EmailAddress"], address, why)
        ssl = security == "ssl"
        imap_port = SERVER.imaps_port if ssl else SERVER.imap_port
        smtp_port = SERVER.submissions_port if ssl else SERVER.submission_port
        self.assertEqual(mail["ImapHost"], "localhost:%d" % imap_port, why)
        self.assertEqual(mail["SmtpHost"], "localhost:%d" % smtp_port, why)
        self.assertEqual(mail["ImapUserName"], address, why)
        self.assertEqual(mail["SmtpUserName"], address, why)
        self.assertIs(mail["ImapUseSsl"], ssl, why)
        self.assertIs(mail["ImapUseTls"], not ssl, why)
        self.assertIs(mail["SmtpUseSsl"], ssl, why)
        self.assertIs(mail["SmtpUseTls"], not ssl, why)
        self.assertIs(mail["SmtpUseAuth"], True, why)
        self.assertEqual(goa_accounts_for(address, objects), [path])

        expected = USERS[address]
        for which in ("imap-password", "smtp-password"):
            got = goa_password(path, which)
            self.assertTrue(got == expected, "GetPassword('%s') is not the password "
                            "(%d characters, not %d)" % (which, len(got), len(expected)))

        # goa's own file: the account's group, and no password in it.
        conf_path, text = goa_accounts_conf()
        self.assertNotIn(expected, text, "the password is in " + conf_path)
        conf = configparser.ConfigParser(interpolation=None)
        conf.optionxform = str
        conf.read_string(text)
        group = "Account " + path[len(GOA_ACCOUNTS):]
        self.assertIn(group, conf.sections(), text)
        self.assertEqual(conf[group].get("Provider"), "imap_smtp", text)
        # goa 3.46's imap_smtp provider reads "Enabled"; others read
        # "MailEnabled".  Whichever is written must be true (MailDisabled
        # false above says goa read it so).
        for key in ("Enabled", "MailEnabled"):
            if key in conf[group]:
                self.assertEqual(conf[group][key], "true", text)

    def test_store_goa(self):
        code, doc, result, seconds = self.verify(ALICE, "goa")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertLoginsOk(doc, why)
        self.assertIs(doc["ok"], True, why)
        self.assertEqual(len(doc["stored"]), 1, why)
        entry = self.goa_entry(doc, why)
        self.assertEntry(entry, {"where": "goa", "ok": True, "account": entry["account"],
                                 "existing": False}, why)
        self.assertGoaAccount(entry["account"], ALICE)
        self.assertEqual(goa_accounts_for(BOB), [])

    def test_netease_hint(self):
        """A NetEase account handed to GOA comes with the Evolution hint (the
        note in netease.xml); a provider without a note, or no provider,
        gives none."""
        code, doc, result, seconds = self.verify(ALICE, "goa", extra=("--provider=netease",))
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        entry = self.goa_entry(doc, why)
        self.assertIn("Send client ID to the server", entry.get("hint") or "", why)

        for extra in (("--provider=qq",), ()):
            code, doc, result, seconds = self.verify(BOB, "goa", extra=extra)
            why = self.describe(doc, result, seconds)
            self.assertEqual(code, 0, why)
            self.assertIsNone(self.goa_entry(doc, why).get("hint"), why)

    def test_store_goa_starttls(self):
        code, doc, result, seconds = self.verify(ALICE, "goa", security="starttls")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        entry = self.goa_entry(doc, why)
        self.assertIs(entry["existing"], False, why)
        self.assertGoaAccount(entry["account"], ALICE, security="starttls")

    def test_store_goa_twice_no_duplicate(self):
        code, doc, result, seconds = self.verify(ALICE, "goa")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        first = self.goa_entry(doc, why)
        self.assertIs(first["existing"], False, why)

        code, doc, result, seconds = self.verify(ALICE, "goa")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        second = self.goa_entry(doc, why)
        self.assertEntry(second, {"where": "goa", "ok": True, "account": first["account"],
                                  "existing": True}, why)
        self.assertEqual(goa_accounts_for(ALICE), [first["account"]])
        self.assertGoaAccount(first["account"], ALICE)

    def test_store_keyring_and_goa(self):
        code, doc, result, seconds = self.verify(ALICE, "keyring", "goa")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertIs(doc["ok"], True, why)
        self.assertEqual(len(doc["stored"]), 3, why)
        ports = self.assertKeyringStored(doc, ALICE, "ssl", why)
        entry = self.goa_entry(doc, why)
        self.assertIs(entry["ok"], True, why)
        self.assertIs(entry["existing"], False, why)
        self.assertGoaAccount(entry["account"], ALICE)
        # goa keeps its copy under its own schema: the keyring's network
        # items for alice are still exactly the two.
        self.assertKeyringHolds(ALICE, USERS[ALICE], *ports)


@needs(keyring=True)
class StoreNothingOnFailure(SessionTestCase):
    def test_wrong_password_stores_nothing(self):
        stores = ["keyring"] + (["goa"] if name_has_owner(GOA) else [])
        for user in (BOB, ALICE):
            with self.subTest(user=user):
                code, doc, result, seconds = self.verify(user, *stores, password=WRONG)
                why = self.describe(doc, result, seconds)
                self.assertEqual(code, 1, why)
                self.assertIsNotNone(doc, why)
                self.assertIs(doc["ok"], False, why)
                self.assertEqual(doc["stored"], [], why)
                for side in ("imap", "smtp"):
                    self.assertIs(doc[side]["ok"], False, why)
                    self.assertEqual(doc[side]["error"], "auth-failed", why)
                self.assertKeyringEmpty(user)
                if "goa" in stores:
                    self.assertEqual(goa_accounts_for(user), [])

    def test_one_side_failing_stores_nothing(self):
        # IMAP succeeds, SMTP is pointed at a port nobody listens on.
        stores = ["keyring"] + (["goa"] if name_has_owner(GOA) else [])
        args = ["verify", ALICE, "--imap=localhost:%d" % SERVER.imaps_port,
                "--smtp=localhost:1", "--ca-file=" + SERVER.ca_file, "--timeout=10",
                *["--store=" + s for s in stores], "--json"]
        code, doc, result, seconds = self.run_ms(*args, stdin=(USERS[ALICE] + "\n").encode())
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 1, why)
        self.assertIs(doc["imap"]["ok"], True, why)
        self.assertIs(doc["smtp"]["ok"], False, why)
        self.assertEqual(doc["stored"], [], why)
        self.assertKeyringEmpty(ALICE)
        if "goa" in stores:
            self.assertEqual(goa_accounts_for(ALICE), [])


@needs(keyring=True)
class Forget(SessionTestCase):
    def store(self, user):
        code, doc, result, seconds = self.verify(user, "keyring")
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertKeyringStored(doc, user, "ssl", why)

    def test_forget(self):
        self.store(ALICE)
        self.store(BOB)
        code, doc, result, seconds = self.forget(ALICE)
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertEqual(doc, {"email": ALICE, "removed": 2}, why)
        self.assertKeyringEmpty(ALICE)
        # Only alice's.
        self.assertKeyringHolds(BOB, USERS[BOB], SERVER.imaps_port, SERVER.submissions_port)

        code, doc, result, seconds = self.forget(ALICE)
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertEqual(doc, {"email": ALICE, "removed": 0}, why)

    def test_forget_nothing_stored(self):
        code, doc, result, seconds = self.forget(ALICE)
        why = self.describe(doc, result, seconds)
        self.assertEqual(code, 0, why)
        self.assertEqual(doc, {"email": ALICE, "removed": 0}, why)

    def test_forget_without_json(self):
        self.store(ALICE)
        code, doc, result, seconds = self.forget(ALICE, json_output=False)
        self.assertEqual(code, 0, self.describe(doc, result, seconds))
        self.assertKeyringEmpty(ALICE)

    def test_forget_then_store_again(self):
        self.store(ALICE)
        code, doc, result, seconds = self.forget(ALICE)
        self.assertEqual(code, 0, self.describe(doc, result, seconds))
        self.store(ALICE)
        self.assertKeyringHolds(ALICE, USERS[ALICE], SERVER.imaps_port, SERVER.submissions_port)


# -- sessions of their own ----------------------------------------------------

NESTED_LIMIT = 30.0     # seconds: a nested session plus a --timeout=10 run


@needs()
class NoServices(StoreTestCase):
    """A session without a Secret Service, or without goa-daemon."""

    def test_no_secret_service(self):
        code, doc, result, seconds = self.verify(ALICE, "keyring", extra=("--timeout=10",),
                                                 session=["--no-keyring", "--no-goa"])
        why = self.describe(doc, result, seconds)
        self.assertLess(seconds, NESTED_LIMIT, why)
        self.assertEqual(code, 1, why)
        self.assertLoginsOk(doc, why)
        self.assertIn(len(doc["stored"]), (1, 2), why)
        for entry in doc["stored"]:
            self.assertStoreFailed(entry, "keyring", why)

    def test_forget_without_secret_service(self):
        code, doc, result, seconds = self.forget(ALICE, session=["--no-keyring", "--no-goa"])
        why = self.describe(doc, result, seconds)
        self.assertLess(seconds, NESTED_LIMIT, why)
        self.assertEqual(code, 1, why)

    @unittest.skipUnless(HAVE_KEYRING_DAEMON, "gnome-keyring-daemon not installed")
    def test_no_goa_daemon(self):
        code, doc, result, seconds = self.verify(ALICE, "goa", extra=("--timeout=10",),
                                                 session=["--no-goa"])
        why = self.describe(doc, result, seconds)
        self.assertLess(seconds, NESTED_LIMIT, why)
        self.assertEqual(code, 1, why)
        self.assertLoginsOk(doc, why)
        self.assertEqual(len(doc["stored"]), 1, why)
        self.assertStoreFailed(doc["stored"][0], "goa", why)

    def test_neither(self):
        code, doc, result, seconds = self.verify(ALICE, "keyring", "goa", extra=("--timeout=10",),
                                                 session=["--no-keyring", "--no-goa"])
        why = self.describe(doc, result, seconds)
        self.assertLess(seconds, NESTED_LIMIT, why)
        self.assertEqual(code, 1, why)
        self.assertLoginsOk(doc, why)
        self.assertEqual({e.get("where") for e in doc["stored"]}, {"keyring", "goa"}, why)
        for entry in doc["stored"]:
            self.assertStoreFailed(entry, entry.get("where"), why)


@needs(keyring=True)
class LockedKeyring(StoreTestCase):
    """The login keyring exists but is locked, and no unlock prompt can be
    shown: storing must fail at once and say so, not wait."""

    def test_store_into_locked_keyring(self):
        code, doc, result, seconds = self.verify(ALICE, "keyring", extra=("--timeout=10",),
                                                 session=["--locked-keyring", "--no-goa"])
        why = self.describe(doc, result, seconds)
        self.assertLess(seconds, NESTED_LIMIT, why)
        self.assertEqual(code, 1, why)
        self.assertLoginsOk(doc, why)
        self.assertIn(len(doc["stored"]), (1, 2), why)
        for entry in doc["stored"]:
            self.assertStoreFailed(entry, "keyring", why)
            self.assertIn("locked", entry["message"].lower(), why)

    def test_goa_with_locked_keyring(self):
        """goa-daemon keeps passwords in the keyring and AddAccount does not
        fail when it cannot: the account must not be left without one."""
        code, doc, result, seconds = self.verify(ALICE, "goa", extra=("--timeout=10",),
                                                 session=["--locked-keyring"])
        why = self.describe(doc, result, seconds)
        self.assertLess(seconds, NESTED_LIMIT, why)
        self.assertEqual(code, 1, why)
        self.assertLoginsOk(doc, why)
        self.assertEqual(len(doc["stored"]), 1, why)
        self.assertStoreFailed(doc["stored"][0], "goa", why)


def _interrupted(signum, frame):
    # A test runner's SIGTERM (meson on timeout): unwind, so that atexit
    # stops dovecot and removes its directory.
    raise KeyboardInterrupt


if __name__ == "__main__":
    if "MS_TEST_SESSION_TMP" not in os.environ and os.access(SESSION_SCRIPT, os.X_OK):
        # Run by hand: in a session of our own.
        os.execv(SESSION_SCRIPT, [SESSION_SCRIPT, "--", sys.executable,
                                  os.path.abspath(__file__), *sys.argv[1:]])
    BINARY = os.path.abspath(sys.argv.pop(1))
    signal.signal(signal.SIGTERM, _interrupted)
    unittest.main(verbosity=2)
