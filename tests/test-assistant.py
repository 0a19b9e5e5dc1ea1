#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the assistant's UI test (tests/test-assistant.c) against real
servers: a dovecot on loopback (tests/servers/dovecot.py) that knows
ALICE, a port that accepts connections and never answers (for Cancel and
for closing the window mid-check), and, from tests/run-in-session.sh, a
real gnome-keyring-daemon and goa-daemon. The UI runs in Xvfb.

    tests/run-in-session.sh -- python3 tests/test-assistant.py BINARY [ARG…]

(ARG defaults to --tap; build-aux/screenshots runs its page renderer the
same way.)

The test gets what it needs through files, never through its arguments or
environment: MS_TEST_PROVIDERS (a provider directory naming the servers),
MS_TEST_CA_FILE (the test CA), MS_TEST_PASSWORD_FILE (ALICE's password) and
MS_TEST_WRONG_PASSWORD_FILE (one dovecot refuses), both mode 0600. Its
TAP output is passed on as it is."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "servers"))

from dovecot import Dovecot  # noqa: E402

ALICE = "alice@example.com"
PASSWORD = "Assist pw-7Rq2"     # a space inside, as pasted passwords have
WRONG = "Wrong assist-pw-K2"
SETTINGS_URL = "https://mail.example.com/settings/app-passwords"

PROVIDER = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1" xmlns:ms="https://mailsetup.github.io/ns/provider/1">
  <emailProvider id="{id}">
    <domain>{domain}</domain>
    <displayName>{name}</displayName>
    <displayName xml:lang="zh_CN">{name_zh}</displayName>
    <displayShortName>{name}</displayShortName>
    <incomingServer type="imap">
      <hostname>127.0.0.1</hostname>
      <port>{imap}</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>127.0.0.1</hostname>
      <port>{smtp}</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <ms:password>
      <ms:name>app password</ms:name>
      <ms:name xml:lang="zh_CN">应用专用密码</ms:name>
      <ms:hint>Any characters.</ms:hint>
      <ms:hint xml:lang="zh_CN">任意字符。</ms:hint>
    </ms:password>
    <ms:steps>
      <ms:step id="make-password" who="user" url="{url}">
        <ms:title>Make an app password</ms:title>
        <ms:title xml:lang="zh_CN">生成应用专用密码</ms:title>
        <ms:description>Open the settings page and make a password for mail programs.</ms:description>
        <ms:description xml:lang="zh_CN">打开设置页面，为邮件程序生成一个密码。</ms:description>
      </ms:step>
    </ms:steps>
    <ms:errors>
      <ms:error kind="auth-failed" step="make-password" match="Authentication failed">
        <ms:advice>The test server did not take the app password.</ms:advice>
        <ms:advice xml:lang="zh_CN">测试服务器没有接受这个应用专用密码。</ms:advice>
      </ms:error>
    </ms:errors>
  </emailProvider>
</clientConfig>
"""


def main():
    if len(sys.argv) < 2:
        print("usage: test-assistant.py BINARY [ARG…]", file=sys.stderr)
        return 2
    binary = sys.argv[1]
    args = sys.argv[2:] or ["--tap"]

    sbin = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    if not (shutil.which("dovecot", path=sbin) and shutil.which("certtool")
            and shutil.which("xvfb-run") and shutil.which("secret-tool")):
        print("1..0 # SKIP dovecot, certtool, xvfb-run or secret-tool not installed")
        return 0

    tmp = tempfile.mkdtemp(prefix="ms-assistant-")
    # Accepts connections (the kernel completes them) and never answers.
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    silent_port = silent.getsockname()[1]

    try:
        with Dovecot(users={ALICE: PASSWORD}) as server:
            providers = os.path.join(tmp, "providers")
            os.mkdir(providers)
            with open(os.path.join(providers, "loopback.xml"), "w") as f:
                f.write(PROVIDER.format(id="loopback", domain="example.com",
                                        name="Loopback Mail", name_zh="本机测试邮箱", url=SETTINGS_URL,
                                        imap=server.imaps_port,
                                        smtp=server.submissions_port))
            with open(os.path.join(providers, "silent.xml"), "w") as f:
                f.write(PROVIDER.format(id="silent", domain="silent.test",
                                        name="Silent Mail", name_zh="无应答邮箱", url=SETTINGS_URL,
                                        imap=silent_port, smtp=silent_port))
            password_file = os.path.join(tmp, "password")
            wrong_file = os.path.join(tmp, "wrong-password")
            for path, text in ((password_file, PASSWORD), (wrong_file, WRONG)):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(text)

            env = dict(os.environ)
            env.update({
                "MS_TEST_PROVIDERS": providers,
                "MS_TEST_CA_FILE": server.ca_file,
                "MS_TEST_PASSWORD_FILE": password_file,
                "MS_TEST_WRONG_PASSWORD_FILE": wrong_file,
                "MS_TEST_IMAP_PORT": str(server.imaps_port),
                "MS_TEST_SMTP_PORT": str(server.submissions_port),
                "MS_TEST_SETTINGS_URL": SETTINGS_URL,
            })
            result = subprocess.run(
                ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", binary, *args],
                env=env, timeout=600)
            return result.returncode
    finally:
        silent.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
