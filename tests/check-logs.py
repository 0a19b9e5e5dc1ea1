#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs after every other test of a build: fails if any password the test
suites use shows up in the build's test log (meson-logs/testlog.txt), raw or
as base64 — the form it takes inside AUTH PLAIN and AUTHENTICATE."""

import base64
import importlib.util
import os
import sys


def load(name):
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), os.path.join(here, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.join(here, "servers"))
    spec.loader.exec_module(module)
    return module


def secrets():
    found = set()
    hostile = load("test-verify-hostile")
    found.add(hostile.PASSWORD)
    found.update((hostile.Dialogues.QUOTED, hostile.Dialogues.UNICODE))
    dovecot = load("test-verify-dovecot")
    found.update(dovecot.USERS.values())
    servers = load("test-verify-servers")
    found.update(servers.USERS.values())
    found.add(servers.WRONG)
    store = load("test-store")
    found.update(store.USERS.values())
    assistant = load("test-assistant")
    found.update((assistant.PASSWORD, assistant.WRONG))
    forms = set()
    for password in found:
        if len(password) < 6:
            continue  # too short to search for without false alarms
        forms.add(password)
        forms.add(base64.b64encode(password.encode()).decode())
    return forms


def main():
    log_path = os.path.join(sys.argv[1], "meson-logs", "testlog.txt")
    with open(log_path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    forms = secrets()
    if len(forms) < 4:
        print("found too few test passwords to check: %d" % len(forms))
        return 1
    leaked = [form for form in forms if form in log]
    print("checked %d forms of %d bytes of log" % (len(forms), len(log)))
    for form in leaked:
        print("a test password appears in %s (%d characters long)" % (log_path, len(form)))
    return 1 if leaked else 0


if __name__ == "__main__":
    sys.exit(main())
