#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line as scripts use it: `providers` and `lookup`, JSON
fields, exit statuses, and a broken provider file of the user's."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

BINARY = None


def run(*args, env=None, stdin=None):
    full_env = dict(os.environ)
    full_env.pop("DISPLAY", None)
    full_env.pop("WAYLAND_DISPLAY", None)
    full_env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent"
    if env:
        full_env.update(env)
    return subprocess.run([BINARY, *args], capture_output=True, env=full_env,
                          input=stdin, timeout=30)


class Providers(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.TemporaryDirectory()
        self.env = {"XDG_DATA_HOME": self.home.name}

    def tearDown(self):
        self.home.cleanup()

    def providers(self, **env):
        result = run("providers", "--json", env={**self.env, **env})
        self.assertEqual(result.returncode, 0, result.stderr)
        return {p["id"]: p for p in json.loads(result.stdout)}, result

    def test_seed_providers_listed(self):
        providers, result = self.providers()
        self.assertEqual(result.stderr, b"")
        for pid in ("exmail", "qq", "netease-qiye", "aliyun-qiye", "alibaba-mail", "netease"):
            self.assertIn(pid, providers)

    def test_contract_fields(self):
        providers, _ = self.providers()
        for p in providers.values():
            for key in ("id", "name", "domains", "mx", "imap", "smtp", "username",
                        "password_name", "steps"):
                self.assertIn(key, p, (p["id"], key))
            self.assertIn(p["username"], ("email", "local-part"))
            self.assertTrue(p["imap"] and p["smtp"])
            for server in p["imap"] + p["smtp"]:
                self.assertIn(server["security"], ("ssl", "starttls"))
                self.assertIsInstance(server["port"], int)
            for step in p["steps"]:
                self.assertIn(step["who"], ("admin", "user"))
                self.assertTrue(step["title"])
                if step["url"] is not None:
                    self.assertTrue(step["url"].startswith("https://"), step["url"])

    def test_exact_servers(self):
        providers, _ = self.providers()

        def hosts(p, side):
            return [(s["host"], s["port"], s["security"]) for s in providers[p][side]]

        self.assertEqual(hosts("qq", "imap"), [("imap.qq.com", 993, "ssl")])
        self.assertEqual(hosts("qq", "smtp")[0], ("smtp.qq.com", 465, "ssl"))
        self.assertEqual(providers["qq"]["domains"], ["qq.com", "foxmail.com", "vip.qq.com"])
        self.assertEqual(hosts("exmail", "imap"), [("imap.exmail.qq.com", 993, "ssl"),
                                                  ("hwimap.exmail.qq.com", 993, "ssl")])
        self.assertEqual(hosts("exmail", "smtp"), [("smtp.exmail.qq.com", 465, "ssl"),
                                                  ("hwsmtp.exmail.qq.com", 465, "ssl")])
        self.assertEqual(providers["exmail"]["mx"], ["mxbiz*.qq.com"])
        self.assertEqual(hosts("netease", "imap"), [("imap.163.com", 993, "ssl")])
        self.assertEqual(hosts("netease", "smtp"), [("smtp.163.com", 465, "ssl")])
        self.assertEqual(hosts("netease-qiye", "imap")[:2], [("hwhzimap.qiye.163.com", 993, "ssl"),
                                                            ("imap.qiye.163.com", 993, "ssl")])
        self.assertEqual(hosts("aliyun-qiye", "smtp"), [("smtp.qiye.aliyun.com", 465, "ssl")])
        self.assertEqual(hosts("alibaba-mail", "imap"), [("imap.alibaba.com", 993, "ssl")])
        admin = [s["url"] for s in providers["exmail"]["steps"] if s["who"] == "admin"]
        self.assertEqual(admin, ["https://work.weixin.qq.com/wework_admin/frame#/apps/qykit/proxy/exmail"])

    def test_localized(self):
        zh, _ = self.providers(LANGUAGE="zh_CN")
        en, _ = self.providers(LANGUAGE="en")
        self.assertEqual(zh["qq"]["name"], "QQ邮箱")
        self.assertEqual(zh["qq"]["password_name"], "授权码")
        self.assertEqual(en["qq"]["name"], "QQ Mail")
        self.assertEqual(zh["netease"]["password_name"], "客户端授权码")
        self.assertIn("Send client ID to the server", en["netease"]["client_note"])
        self.assertIn("向服务器发送客户端 ID", zh["netease"]["client_note"])
        self.assertIsNone(en["qq"]["client_note"])

    def test_human_output(self):
        result = run("providers", env=self.env)
        self.assertEqual(result.returncode, 0)
        out = result.stdout.decode()
        self.assertIn("QQ Mail", out)
        self.assertIn("foxmail.com", out)

    def test_broken_user_file(self):
        folder = os.path.join(self.home.name, "mail-setup", "providers")
        os.makedirs(folder)
        path = os.path.join(folder, "broken.xml")
        with open(path, "w") as f:
            f.write('<clientConfig version="1.1" xmlns:ms="https://mailsetup.github.io/ns/provider/1">\n'
                    '  <emailProvider id="x">\n  </emailPr>\n')
        providers, result = self.providers()
        self.assertIn("qq", providers)
        stderr = result.stderr.decode()
        self.assertIn(path + ":3:", stderr)

    def test_extra_argument(self):
        self.assertEqual(run("providers", "extra", env=self.env).returncode, 2)


class Lookup(unittest.TestCase):
    """The catalogue part of `lookup`. --offline keeps an unknown domain off
    the network (tests/test-lookup.py covers the network lookup, on a fake
    resolver); a known one never goes there."""

    def lookup(self, address, *args):
        result = run("lookup", address, "--json", *args)
        return result.returncode, json.loads(result.stdout) if result.stdout else None, result

    def test_found(self):
        code, doc, _ = self.lookup("  Zhang.San@QQ.com ")
        self.assertEqual(code, 0)
        self.assertEqual(doc["email"], "Zhang.San@qq.com")
        self.assertEqual(doc["provider"], "qq")
        self.assertEqual(doc["source"], "catalogue")
        self.assertEqual(doc["username"], "Zhang.San@qq.com")
        self.assertEqual(doc["imap"][0]["host"], "imap.qq.com")
        self.assertEqual(doc["imap"][0]["port"], 993)
        self.assertEqual(doc["smtp"][0]["username"], "Zhang.San@qq.com")

    def test_not_found(self):
        for address in ("x@sub.qq.com", "x@example.org", "x@例子.中国"):
            code, doc, _ = self.lookup(address, "--offline")
            self.assertEqual(code, 1, address)
            self.assertIsNone(doc["provider"])
            self.assertEqual(doc["source"], "none")
            self.assertEqual(doc["imap"], [])
            self.assertIsNone(doc["username"])

    def test_malformed(self):
        for address in ("nobody", "a@@qq.com", "a@b@qq.com", "", "@qq.com", "a@qq"):
            code, doc, result = self.lookup(address)
            self.assertEqual(code, 2, address)
            self.assertEqual(doc["error"], "malformed-address")
            self.assertTrue(result.stderr)

    def test_human(self):
        result = run("lookup", "someone@126.com")
        self.assertEqual(result.returncode, 0)
        self.assertIn("imap.163.com:993", result.stdout.decode())

    def test_usage(self):
        self.assertEqual(run("lookup").returncode, 2)
        self.assertEqual(run("lookup", "--bogus", "a@qq.com").returncode, 2)
        self.assertEqual(run("frobnicate").returncode, 2)


class Program(unittest.TestCase):
    def test_version(self):
        result = run("--version")
        self.assertEqual(result.returncode, 0)
        self.assertTrue(result.stdout.decode().startswith("mail-setup "))


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
