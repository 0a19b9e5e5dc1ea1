#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian packages of test servers that conflict with the installed
dovecot and Postfix (Cyrus IMAP, Courier IMAP): fetched with `apt-get
download` and unpacked with `dpkg-deb -x`, never installed.  Their
libraries, which do not conflict, are installed normally (build-aux/dev).

    root = packages.ensure("cyrus")    # .../server-packages/cyrus/root

The unpacked tree is cached (in $MAIL_SETUP_SERVER_PACKAGES, which the
test suite sets to its build directory, else _build/server-packages in
the source tree); once there, nothing is downloaded again, so it works
offline.  When the packages cannot be had, ensure() raises PackagesError
saying which and why: the tests that need them fail, they do not skip.

Run it directly to fetch everything ahead of time:

    python3 tests/servers/packages.py [--dir DIR] [cyrus courier]
"""

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile

SETS = {
    "cyrus": ["cyrus-common", "cyrus-imapd"],
    "courier": ["courier-base", "courier-imap", "courier-authlib",
                "courier-authdaemon", "courier-authlib-userdb"],
}


class PackagesError(RuntimeError):
    pass


def default_dir():
    explicit = os.environ.get("MAIL_SETUP_SERVER_PACKAGES")
    if explicit:
        return explicit
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(top, "_build", "server-packages")


def _download(names, where, cache):
    """apt-get download into where; after `apt-get update` if the first
    try fails (stale or missing package lists) and we are root."""
    def attempt():
        return subprocess.run(["apt-get", "download", "-q", *names], cwd=where,
                              capture_output=True, text=True, timeout=600)
    if shutil.which("apt-get") is None:
        raise PackagesError("apt-get not found: %s can only be had from Debian's archive"
                            % ", ".join(names))
    result = attempt()
    if result.returncode != 0 and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=600)
        result = attempt()
    if result.returncode != 0:
        raise PackagesError(
            "cannot download the Debian packages %s (apt-get download failed with "
            "status %d).  The real-server tests unpack them, without installing, "
            "into %s; this needs Debian's package archive once, then works "
            "offline.\n%s%s" % (" ".join(names), result.returncode, cache,
                                result.stdout, result.stderr))


def ensure(name, directory=None):
    """The directory the packages of SETS[name] are unpacked in (its usr/,
    etc/, ...), fetching and unpacking them first if needed."""
    names = SETS[name]
    directory = os.path.abspath(directory or default_dir())
    os.makedirs(directory, exist_ok=True)
    home = os.path.join(directory, name)
    root = os.path.join(home, "root")
    stamp = os.path.join(home, "packages")
    with open(os.path.join(directory, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # two test programs, one cache
        if os.path.isdir(root) and os.path.exists(stamp):
            return root
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(home)
        debs = tempfile.mkdtemp(prefix="debs-", dir=home)
        # apt-get download drops privileges to _apt, which must write here.
        os.chmod(debs, 0o777)
        try:
            _download(names, debs, directory)
            files = sorted(f for f in os.listdir(debs) if f.endswith(".deb"))
            missing = [n for n in names if not any(f.startswith(n + "_") for f in files)]
            if missing:
                raise PackagesError("apt-get download gave no file for %s" % ", ".join(missing))
            unpacking = root + ".tmp"
            shutil.rmtree(unpacking, ignore_errors=True)
            for f in files:
                result = subprocess.run(["dpkg-deb", "-x", os.path.join(debs, f), unpacking],
                                        capture_output=True, text=True, timeout=300)
                if result.returncode != 0:
                    raise PackagesError("dpkg-deb -x %s failed:\n%s" % (f, result.stderr))
            os.rename(unpacking, root)
        finally:
            shutil.rmtree(debs, ignore_errors=True)
        with open(stamp, "w") as f:
            f.write("".join(fn + "\n" for fn in files))
        return root


def main():
    import argparse
    parser = argparse.ArgumentParser(description="Fetch and unpack the test servers' packages.")
    parser.add_argument("--dir", default=None, help="cache directory (default: %s)" % default_dir())
    parser.add_argument("sets", nargs="*", metavar="SET", help=" or ".join(sorted(SETS)))
    args = parser.parse_args()
    unknown = [name for name in args.sets if name not in SETS]
    if unknown:
        parser.error("unknown set: %s" % ", ".join(unknown))
    for name in args.sets or sorted(SETS):
        try:
            print(ensure(name, args.dir))
        except PackagesError as e:
            print("packages.py: %s" % e, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
