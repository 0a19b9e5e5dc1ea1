#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every provider in the catalogue, complete and at the seed providers'
depth, through `mail-setup providers --json`:

- at least 22 providers;
- each has a name, domains or MX patterns, IMAP and SMTP servers (implicit
  TLS or STARTTLS, never plain), a login-name rule, the client password's
  name and shape (or, for an OAuth-only provider, a note saying what to do
  instead), a user step, https:// step pages, and error patterns whose steps
  exist;
- each has its zh_CN text: name (or password name), every step title and
  description differ from the English and hold Chinese characters;
- no two providers claim the same domain or MX pattern;
- the facts checked against public sources (tests/provider-facts/ID.json):
  domains, MX, servers with ports, security and login rules, the password's
  name and shape, the step pages, the error kinds;
- `verify` for an OAuth-only provider says so without connecting anywhere.

Run: python3 tests/test-providers.py /path/to/mail-setup"""

import glob
import json
import os
import re
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
CJK = re.compile(r"[\u4e00-\u9fff]")
# Hosts company domains whose MX hosts no public source names: found only by
# picking it from the list (providers/alibaba-mail.xml says so).
PICKED_FROM_LIST = {"alibaba-mail"}


def providers(language):
    env = dict(os.environ, LANGUAGE=language, LC_ALL="C.UTF-8")
    result = subprocess.run([BINARY, "providers", "--json"], env=env, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not result.stderr, "the catalogue has problems: %s" % result.stderr.decode()
    return {p["id"]: p for p in json.loads(result.stdout)}


EN = None
ZH = None


def setUpModule():
    global EN, ZH
    EN = providers("en")
    ZH = providers("zh_CN")


def server_facts(servers):
    return [[s["host"], s["port"], s["security"], s["username"]] for s in servers]


class Complete(unittest.TestCase):
    def test_at_least_22(self):
        self.assertGreaterEqual(len(EN), 22, sorted(EN))

    def test_each_is_complete(self):
        for pid, p in EN.items():
            with self.subTest(provider=pid):
                self.assertTrue(p["name"])
                if pid not in PICKED_FROM_LIST:
                    self.assertTrue(p["domains"] or p["mx"], "no domain and no MX pattern")
                for side in ("imap", "smtp"):
                    self.assertTrue(p[side], "no %s server" % side)
                    for s in p[side]:
                        self.assertIn(s["security"], ("ssl", "starttls"))
                        self.assertIn(s["username"], ("email", "local-part"))
                        self.assertTrue(0 < s["port"] < 65536)
                if p["oauth_only"]:
                    self.assertIsNone(p["password_name"])
                    self.assertTrue(p["client_note"], "an OAuth-only provider must say what to do")
                else:
                    self.assertTrue(p["password_name"])
                    self.assertTrue(p["password"]["hint"], "the password's shape is not described")
                self.assertTrue(any(s["who"] == "user" for s in p["steps"]), "no step for the user")
                self.assertTrue(any(s["url"] for s in p["steps"]), "no step opens a page")
                for s in p["steps"]:
                    self.assertTrue(s["title"] and s["description"])
                    if s["url"]:
                        self.assertTrue(s["url"].startswith("https://"), s["url"])
                self.assertTrue(p["errors"], "no error pattern")
                step_ids = {s["id"] for s in p["steps"]}
                for e in p["errors"]:
                    if e["step"]:
                        self.assertIn(e["step"], step_ids)
                self.assertTrue(p["website"] and p["website"].startswith("https://"))

    def test_each_has_chinese(self):
        for pid, en in EN.items():
            zh = ZH[pid]
            with self.subTest(provider=pid):
                # A brand may keep its name (Gmail, Outlook.com); what the
                # user reads about it is in Chinese.
                named = [zh["name"], zh["password_name"] or zh["client_note"] or ""]
                self.assertTrue(any(CJK.search(n) for n in named), "no Chinese text: %s" % named)
                for s_en, s_zh in zip(en["steps"], zh["steps"]):
                    for key in ("title", "description"):
                        self.assertNotEqual(s_en[key], s_zh[key], "%s of step %s untranslated" % (key, s_en["id"]))
                        self.assertRegex(s_zh[key], CJK)
                if en["client_note"]:
                    self.assertNotEqual(en["client_note"], zh["client_note"])
                if en.get("password"):
                    self.assertNotEqual(en["password"]["hint"], zh["password"]["hint"])

    def test_no_domain_or_mx_claimed_twice(self):
        for key in ("domains", "mx"):
            seen = {}
            for pid, p in EN.items():
                for value in p[key]:
                    self.assertNotIn(value.lower(), seen,
                                     "%s %s claimed by %s and %s" % (key, value, seen.get(value.lower()), pid))
                    seen[value.lower()] = pid


class Facts(unittest.TestCase):
    def test_facts(self):
        files = sorted(glob.glob(os.path.join(HERE, "provider-facts", "*.json")))
        self.assertGreaterEqual(len(files), 16)
        for path in files:
            with open(path) as f:
                facts = json.load(f)
            pid = facts["id"]
            with self.subTest(provider=pid):
                self.assertIn(pid, EN)
                p = EN[pid]
                self.assertEqual(sorted(p["domains"]), sorted(facts.get("domains", [])))
                self.assertEqual(sorted(p["mx"]), sorted(facts.get("mx", [])))
                for side in ("imap", "smtp"):
                    expected = [list(s) for s in facts[side]]
                    got = server_facts(p[side])
                    if expected and len(expected[0]) == 3:
                        got = [g[:3] for g in got]
                    self.assertEqual(got, expected, side)
                if "username" in facts:
                    self.assertEqual(p["username"], facts["username"])
                if facts.get("password_name_contains"):
                    self.assertIn(facts["password_name_contains"], p["password_name"])
                for key, value in facts.get("password", {}).items():
                    self.assertEqual(p["password"][key], value, key)
                self.assertEqual(p["oauth_only"], facts.get("oauth_only", False))
                for who in ("user", "admin"):
                    urls = [s["url"] for s in p["steps"] if s["who"] == who and s["url"]]
                    for url in facts.get(who + "_step_urls", []):
                        self.assertIn(url, urls, who)
                kinds = {e["kind"] for e in p["errors"]}
                for kind in facts.get("error_kinds", []):
                    self.assertIn(kind, kinds)
                self.assertTrue(facts.get("sources"), "facts without sources")


class OAuthOnly(unittest.TestCase):
    def test_verify_refuses_without_connecting(self):
        oauth = [p for p in EN.values() if p["oauth_only"]]
        self.assertTrue(oauth, "no OAuth-only provider")
        for p in oauth:
            address = "someone@" + (p["domains"][0] if p["domains"] else "example.com")
            args = [BINARY, "verify", address, "--json"]
            if not p["domains"]:
                args.append("--provider=" + p["id"])
            result = subprocess.run(args, input=b"Some-pw-1\n", capture_output=True, timeout=10,
                                    env=dict(os.environ, LANGUAGE="en"))
            self.assertEqual(result.returncode, 1, result.stderr)
            doc = json.loads(result.stdout)
            self.assertFalse(doc["ok"])
            for side in ("imap", "smtp"):
                self.assertEqual(doc[side]["error"], "login-disabled")
                self.assertIn("password", doc[side]["advice"])
            self.assertNotIn(b"Some-pw-1", result.stdout + result.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
