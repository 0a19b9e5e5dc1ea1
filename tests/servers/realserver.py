# SPDX-License-Identifier: GPL-3.0-or-later
"""What the harnesses of cyrus.py, courier.py and postfix.py share: a
temporary directory with a test CA and a localhost certificate (made by
dovecot.py's make_certificates), processes that log into it and die with
the test, readiness by port and greeting, and a clean stop.

A subclass sets NAME and implements _setup(), which writes its
configuration, starts its processes with self.spawn() and waits for
them with self.wait_ready().  MAIL_SETUP_KEEP_SERVERS=1 in the
environment keeps the temporary directory after stopping.
"""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from dovecot import (DovecotError, Managed, _die_with_parent, _port_ready,
                     make_certificates, wait_ready)

# Generous: the suite runs on two cores shared with other work.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class ServerError(DovecotError):
    pass


# For a server that changes its user ID (the kernel then forgets its
# parent-death signal): a process that keeps it, and passes SIGTERM on.
_GUARD = """\
import os, signal, sys
pid = int(sys.argv[1])
def end(signum, frame):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os._exit(0)
signal.signal(signal.SIGTERM, end)
while True:
    signal.pause()
"""


def require_root(what, why):
    if os.geteuid() != 0:
        raise ServerError("%s needs root (%s); run the tests as root, as CI does" % (what, why))


class RealServer(Managed):
    NAME = "server"

    def __init__(self, users):
        for name in users:
            if not name or any(c in name for c in ":|\n\r\t ") or not name.isprintable():
                raise ValueError("unusable user name: %r" % name)
        self.users = dict(users)
        self.base = None
        self.ca_file = None
        self._procs = []        # (name, Popen, log file)
        self._guards = []

    def path(self, *parts):
        return os.path.join(self.base, *parts)

    def _start_once(self):
        self.base = tempfile.mkdtemp(prefix="mail-setup-%s-" % self.NAME)
        # The servers' unprivileged processes reach files below it.
        os.chmod(self.base, 0o755)
        atexit.register(self.stop)
        self.ca_file = make_certificates(self.base)
        self._setup()

    def _setup(self):
        raise NotImplementedError

    def spawn(self, name, argv, env=None, guard=False):
        """Starts argv with its output in NAME.log; it gets SIGTERM when
        this thread ends (through a guard process if it changes user)."""
        log = open(self.path(name + ".log"), "w+b")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env,
                                preexec_fn=_die_with_parent)
        self._procs.append((name, proc, log))
        if guard:
            self._guards.append(subprocess.Popen([sys.executable, "-c", _GUARD, str(proc.pid)],
                                                 stdin=subprocess.DEVNULL,
                                                 preexec_fn=_die_with_parent))
        return proc

    def port_check(self, port, greeting, tls=False):
        """A check for wait_ready(): port greets (after a TLS handshake that
        trusts the test CA, with tls)."""
        ca = self.ca_file if tls else None
        return ("port %d" % port,
                lambda deadline: _port_ready(port, greeting, deadline, ca))

    def wait_ready(self, checks):
        wait_ready(self.NAME, [proc for _, proc, _ in self._procs], checks,
                   START_TIMEOUT, self.diagnostics, ServerError)

    def logs(self):
        """{name: text} of every log so far."""
        result = {}
        for name, _, log in self._procs:
            try:
                with open(log.name, encoding="utf-8", errors="replace") as f:
                    result[name] = f.read()
            except OSError:
                pass
        return result

    def diagnostics(self):
        return "".join("--- %s ---\n%s\n" % (name, text) for name, text in self.logs().items())

    def stop(self):
        """Stops everything and removes the directory; safe to call twice."""
        atexit.unregister(self.stop)
        procs, self._procs = self._procs, []
        for _, proc, _ in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc, log in reversed(procs):
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
            log.close()
        guards, self._guards = self._guards, []
        for guard in guards:
            guard.kill()
            guard.wait()
        if self.base is not None:
            if os.environ.get("MAIL_SETUP_KEEP_SERVERS"):
                print("%s.py: kept %s" % (self.NAME, self.base), file=sys.stderr)
            else:
                shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


def serve_forever(make):
    """For running a harness by hand: make(user, password) gives the
    server; runs it until Ctrl-C or SIGTERM, printing its info()."""
    import argparse
    import json
    parser = argparse.ArgumentParser(description="Run a test server on 127.0.0.1.")
    parser.add_argument("--user", default="alice@example.com")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)   # `kill` cleans up as Ctrl-C does
    with make(args.user, args.password) as server:
        print(json.dumps(server.info(), indent=2, ensure_ascii=False), flush=True)
        print("%s is running (started in %.2f s); Ctrl-C to stop"
              % (server.NAME, server.start_seconds), file=sys.stderr, flush=True)
        try:
            while all(proc.poll() is None for _, proc, _ in server._procs):
                time.sleep(1)
            print("%s exited\n%s" % (server.NAME, server.diagnostics()), file=sys.stderr)
        except KeyboardInterrupt:
            pass
