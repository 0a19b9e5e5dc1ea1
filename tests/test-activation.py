#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""D-Bus activation from the installed service file, as a program using
the API meets it: the build is installed into a scratch root, a private
session bus reads the installed io.github.mailsetup.MailSetup.service (its
Exec moved under the scratch root), and a call to the name starts
`mail-setup --gapplication-service`. Checks:

- the process the bus started is the installed binary;
- ListProviders and Lookup answer what `mail-setup providers --json` and
  `mail-setup lookup --json` print (D-Bus has no null: null fields are left
  out);
- a bad address gets the named error;
- a second launch (`mail-setup --email=…`) reaches the running instance.

Run: python3 tests/test-activation.py BUILDDIR APP_ID   (under xvfb-run)
Needs PyGObject (Debian: python3-gi); re-runs itself with the system's
python3 when the one it was started with lacks it."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

try:
    from gi.repository import Gio, GLib
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

BUILD = None
APP_ID = None
TMP = None
ROOT = None       # the scratch install root: ROOT + prefix
BINARY = None
BUS = None        # dbus-daemon process
ADDRESS = None
ENV = None

OBJECT_PATH = "/io/github/mailsetup/MailSetup"
INTERFACE = "io.github.mailsetup.MailSetup1"

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={tmp}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def prefix_of(build):
    out = subprocess.run(["meson", "introspect", build, "--buildoptions"],
                         check=True, capture_output=True, text=True).stdout
    return next(o["value"] for o in json.loads(out) if o["name"] == "prefix")


def setUpModule():
    global TMP, ROOT, BINARY, BUS, ADDRESS, ENV
    TMP = tempfile.mkdtemp(prefix="ms-activation-")
    dest = os.path.join(TMP, "root")
    subprocess.run(["meson", "install", "-C", BUILD, "--destdir", dest, "--no-rebuild", "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    prefix = prefix_of(BUILD)
    ROOT = dest + prefix
    BINARY = os.path.join(ROOT, "bin", "mail-setup")

    # The installed service file, its Exec under the scratch root.
    installed = os.path.join(ROOT, "share", "dbus-1", "services", APP_ID + ".service")
    services = os.path.join(TMP, "services")
    os.mkdir(services)
    with open(installed) as f:
        text = f.read()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.startswith("Exec=" + os.path.join(prefix, "bin", "mail-setup") + " "), exec_line
    with open(os.path.join(services, APP_ID + ".service"), "w") as f:
        f.write(text.replace("Exec=" + prefix, "Exec=" + ROOT))

    config = os.path.join(TMP, "session.conf")
    with open(config, "w") as f:
        f.write(CONFIG.format(tmp=TMP, services=services))

    home = os.path.join(TMP, "home")
    os.mkdir(home)
    ENV = dict(os.environ,
               HOME=home,
               XDG_DATA_HOME=os.path.join(home, "data"),
               XDG_CACHE_HOME=os.path.join(home, "cache"),
               XDG_CONFIG_HOME=os.path.join(home, "config"),
               GSETTINGS_BACKEND="memory")
    for name in ("G_MESSAGES_DEBUG", "G_DEBUG"):
        ENV.pop(name, None)
    BUS = subprocess.Popen(["dbus-daemon", "--config-file", config, "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, env=ENV, text=True)
    ADDRESS = BUS.stdout.readline().strip()
    assert ADDRESS, "dbus-daemon gave no address"
    ENV["DBUS_SESSION_BUS_ADDRESS"] = ADDRESS


def tearDownModule():
    if BUS is not None:
        try:
            pid = service_pid(connect())
            os.kill(pid, signal.SIGTERM)
        except Exception:
            pass
        BUS.terminate()
        BUS.wait(timeout=10)
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


def connect():
    return Gio.DBusConnection.new_for_address_sync(
        ADDRESS,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)


def call(connection, method, parameters=None, reply_type=None):
    return connection.call_sync(APP_ID, OBJECT_PATH, INTERFACE, method, parameters,
                                GLib.VariantType.new(reply_type) if reply_type else None,
                                Gio.DBusCallFlags.NONE, 30000, None)


def service_pid(connection):
    reply = connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                 "GetConnectionUnixProcessID", GLib.Variant("(s)", (APP_ID,)),
                                 GLib.VariantType.new("(u)"), Gio.DBusCallFlags.NONE, 5000, None)
    return reply.unpack()[0]


def without_nulls(value):
    """What a JSON document is on D-Bus: no null anywhere."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def cli(*args):
    result = subprocess.run([BINARY, *args, "--json"], env=ENV, capture_output=True, timeout=60)
    return without_nulls(json.loads(result.stdout))


class Activation(unittest.TestCase):
    def test_1_activation_starts_the_installed_binary(self):
        connection = connect()
        reply = call(connection, "ListProviders", None, "(aa{sv})")
        self.assertTrue(reply.unpack()[0])
        pid = service_pid(connection)
        self.assertEqual(os.path.realpath("/proc/%d/exe" % pid), os.path.realpath(BINARY))
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            self.assertIn(b"--gapplication-service", f.read().split(b"\0"))

    def test_2_list_providers_equals_the_cli(self):
        providers = call(connect(), "ListProviders", None, "(aa{sv})").unpack()[0]
        self.assertEqual(providers, cli("providers"))

    def test_3_lookup_equals_the_cli(self):
        for address in ("Zhang.San@QQ.com", "li@163.com"):
            result = call(connect(), "Lookup", GLib.Variant("(s)", (address,)), "(a{sv})").unpack()[0]
            self.assertEqual(result, cli("lookup", address, "--offline"), address)

    def test_4_bad_address(self):
        with self.assertRaises(GLib.Error) as raised:
            call(connect(), "Lookup", GLib.Variant("(s)", ("no address",)))
        self.assertEqual(Gio.DBusError.get_remote_error(raised.exception),
                         INTERFACE + ".Error.InvalidAddress")

    def test_5_second_launch_reaches_the_running_instance(self):
        connection = connect()
        call(connection, "ListProviders", None, "(aa{sv})")
        before = service_pid(connection)
        start = time.monotonic()
        result = subprocess.run([BINARY, "--email=wang@qq.com"], env=ENV, capture_output=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertLess(time.monotonic() - start, 30)
        # The same process still owns the name: the launch was forwarded.
        self.assertEqual(service_pid(connection), before)


if __name__ == "__main__":
    BUILD = os.path.abspath(sys.argv.pop(1))
    APP_ID = sys.argv.pop(1)
    unittest.main(verbosity=2)
