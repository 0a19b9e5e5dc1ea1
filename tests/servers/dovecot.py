#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real dovecot (IMAP and submission) on 127.0.0.1, for tests.

    with Dovecot(users={"alice@example.com": "pw"}) as d:
        ... d.imaps_port, d.imap_port, d.submissions_port,
            d.submission_port, d.ca_file, d.log_path ...

Each instance gets its own temporary directory with a fresh test CA, a
certificate for localhost (DNS:localhost, IP:127.0.0.1, plus a DNS name
for each of hostnames=[...], e.g. Dovecot(users, hostnames=
["imap.guess.test"]) for a client that resolves that name to 127.0.0.1
itself), the dovecot
configuration, its runtime/state directories, log file and mail store.
Nothing listens anywhere but 127.0.0.1, and everything is removed on exit.

Passwords are stored as {PLAIN.BASE64}: the password's UTF-8 bytes,
base64-encoded, so any character (quotes, backslashes, braces, spaces,
colons, non-ASCII) survives the colon-separated passwd-file format
without escaping rules.

The plain ports (imap_port, submission_port) are relayed so that dovecot
sees the client as 127.0.0.2: dovecot considers a connection whose remote
address equals its local one "secured" and would otherwise allow plaintext
LOGIN on them.  Through the relay they behave as a real server's: STARTTLS
offered, LOGIN refused before it.  The relay also records what clients send
(d.plain_traffic()), so a test can check no password crossed in clear.

Submission relays to a stub SMTP server that answers QUIT and refuses all
mail, so a session can end normally after AUTH.

dovecot's delays for failed logins (auth_failure_delay, the anvil
authentication penalty) are turned off, so failures answer at once;
Dovecot(..., failure_delays=True) keeps them.  Dovecot(..., sasl=True)
also opens an authentication socket for other servers (Postfix's
smtpd_sasl_type = dovecot) at d.sasl_socket.

Run it directly to get a server for manual testing:

    python3 tests/servers/dovecot.py [--user ADDRESS --password PW]

MAIL_SETUP_KEEP_DOVECOT=1 in the environment keeps the temporary directory
(config, log, certificates) after stopping, for debugging.
"""

import atexit
import base64
import ctypes
import grp
import json
import os
import pwd
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

START_TIMEOUT = 60.0   # generous: two cores shared with other work
STOP_TIMEOUT = 10.0


class DovecotError(RuntimeError):
    pass


def _free_ports(count):
    """Distinct ports on 127.0.0.1 that were free a moment ago."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _port_ready(port, greeting, deadline, tls_ca=None):
    """Whether 127.0.0.1:port accepts a connection (and sends greeting;
    with tls_ca, after a TLS handshake that trusts that CA file)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            if greeting is None:
                return True
            s.settimeout(max(0.1, min(2.0, deadline - time.monotonic())))
            if tls_ca is None:
                return _greets(s, greeting)
            context = ssl.create_default_context(cafile=tls_ca)
            with context.wrap_socket(s, server_hostname="localhost") as tls:
                return _greets(tls, greeting)
    except OSError:
        return False


def _greets(s, greeting):
    """Whether the first line read from s starts with greeting."""
    data = b""
    while b"\n" not in data:
        chunk = s.recv(1024)
        if not chunk:
            return False
        data += chunk
    return data.startswith(greeting)


def _unix_ready(path):
    """Whether the Unix socket at path accepts a connection."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(path)
            return True
    except OSError:
        return False


try:
    _LIBC = ctypes.CDLL(None, use_errno=True)   # loaded before any fork
    _prctl = _LIBC.prctl
except (OSError, AttributeError):
    _prctl = None


def _die_with_parent():
    """In the child before exec: SIGTERM when the parent (thread) dies."""
    if _prctl is not None:
        PR_SET_PDEATHSIG = 1
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, timeout=60, **kwargs)
    if result.returncode != 0:
        raise DovecotError("%s failed (%d):\n%s%s" % (
            " ".join(argv[:2]), result.returncode,
            result.stdout.decode(errors="replace"),
            result.stderr.decode(errors="replace")))
    return result


def wait_ready(name, procs, checks, timeout, diagnostics, error=DovecotError):
    """Waits until each check passes, in order.  checks: (label,
    check(deadline) -> bool) pairs.  Raises error, with diagnostics(), when
    a process of procs exits or timeout seconds pass first."""
    deadline = time.monotonic() + timeout
    pending = list(checks)
    while pending:
        for proc in procs:
            if proc.poll() is not None:
                raise error("%s exited with status %d while starting\n%s"
                            % (name, proc.returncode, diagnostics()))
        if time.monotonic() > deadline:
            raise error("%s not ready within %g s (waiting for %s)\n%s"
                        % (name, timeout, [label for label, _ in pending], diagnostics()))
        label, check = pending[0]
        if check(deadline):
            pending.pop(0)
        else:
            time.sleep(0.05)


def make_certificates(directory, hostnames=()):
    """A test CA (ca.pem) and a server key and certificate signed by it
    (server.key, server.pem) for localhost, 127.0.0.1 and hostnames, in
    directory.  Returns the CA file's path."""
    def p(name):
        return os.path.join(directory, name)

    with open(p("ca.tmpl"), "w") as f:
        f.write('cn = "Mail Setup Test CA"\n'
                'organization = "Mail Setup tests"\n'
                'serial = 1\n'
                'expiration_days = 30\n'
                'ca\n'
                'cert_signing_key\n'
                'crl_signing_key\n')
    with open(p("server.tmpl"), "w") as f:
        f.write('cn = "localhost"\n'
                'organization = "Mail Setup tests"\n'
                'serial = 2\n'
                'expiration_days = 30\n'
                'dns_name = "localhost"\n'
                + ''.join('dns_name = "%s"\n' % name for name in hostnames) +
                'ip_address = "127.0.0.1"\n'
                'tls_www_server\n'
                'signing_key\n'
                'encryption_key\n')
    genkey = ["certtool", "--generate-privkey", "--key-type=rsa", "--bits=2048"]
    _run(genkey + ["--outfile", p("ca.key")])
    _run(["certtool", "--generate-self-signed", "--load-privkey", p("ca.key"),
          "--template", p("ca.tmpl"), "--outfile", p("ca.pem")])
    _run(genkey + ["--outfile", p("server.key")])
    _run(["certtool", "--generate-certificate", "--load-privkey", p("server.key"),
          "--load-ca-certificate", p("ca.pem"), "--load-ca-privkey", p("ca.key"),
          "--template", p("server.tmpl"), "--outfile", p("server.pem")])
    os.chmod(p("server.key"), 0o600)
    os.chmod(p("ca.key"), 0o600)
    return p("ca.pem")


class _Service:
    """A small threaded TCP server on 127.0.0.1 (an ephemeral port); each
    connection is handled by self._serve(sock) in its own daemon thread.
    close() stops accepting, ends every connection and joins the threads."""

    def __init__(self, name):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets = set()
        self._threads = []
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(32)
        self.port = self.listener.getsockname()[1]
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True,
                                          name="%s-%d" % (name, self.port))
        self._accepter.start()

    def _track(self, sock):
        with self._lock:
            self._sockets.add(sock)

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.listener], [], [], 0.2)
                if not ready:
                    continue
                sock, _ = self.listener.accept()
            except (OSError, ValueError):
                return
            self._track(sock)
            t = threading.Thread(target=self._serve_and_close, args=(sock,), daemon=True)
            with self._lock:
                self._threads.append(t)
            t.start()

    def _serve_and_close(self, sock):
        try:
            self._serve(sock)
        except (OSError, ValueError):
            pass
        finally:
            sock.close()

    def _serve(self, sock):
        raise NotImplementedError

    def close(self):
        self._stop.set()
        self.listener.close()
        self._accepter.join(timeout=2)
        with self._lock:
            threads = list(self._threads)
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(timeout=2)
        for sock in sockets:
            sock.close()


class _Relay(_Service):
    """Forwards its port to 127.0.0.1:target_port, connecting from 127.0.0.2.

    dovecot treats a connection whose remote address equals its local
    address as "secured": it then allows plaintext LOGIN/AUTH and offers
    AUTH before STARTTLS.  Through this relay the plain ports behave like
    a real server's: STARTTLS offered, LOGINDISABLED, no SMTP AUTH before
    STARTTLS.  Both addresses are loopback (Linux routes all of
    127.0.0.0/8 to lo); nothing else is contacted.
    """

    SOURCE = "127.0.0.2"
    MAX_RECORD = 8 << 20

    def __init__(self, target_port):
        self.target_port = target_port
        # What clients sent (cleartext until STARTTLS, TLS records after),
        # all connections in one, and each connection's apart.
        self.from_clients = bytearray()
        self.sessions = []
        self.source = self.SOURCE
        try:
            with socket.socket() as probe:
                probe.bind((self.source, 0))
        except OSError:
            self.source = None
        super().__init__("relay")

    def _serve(self, client):
        session = bytearray()
        with self._lock:
            self.sessions.append(session)
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._track(upstream)
        try:
            if self.source:
                upstream.bind((self.source, 0))
            upstream.settimeout(5)
            upstream.connect(("127.0.0.1", self.target_port))
            upstream.settimeout(None)
            peer = {client: upstream, upstream: client}
            open_ = [client, upstream]
            while open_ and not self._stop.is_set():
                ready, _, _ = select.select(open_, [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if data:
                        if sock is client:
                            with self._lock:
                                if len(self.from_clients) < self.MAX_RECORD:
                                    self.from_clients += data
                                if len(session) < self.MAX_RECORD:
                                    session += data
                        peer[sock].sendall(data)
                    else:
                        open_.remove(sock)
                        try:
                            peer[sock].shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
        finally:
            upstream.close()


class _SmtpSink(_Service):
    """The relay dovecot's submission service connects to right after a
    successful AUTH.  With nothing there dovecot answers the client's next
    command (even QUIT) with "421 Failed to connect to relay server", which
    no real provider does; this stub greets, answers EHLO, NOOP, RSET and
    QUIT, and refuses all mail."""

    def __init__(self):
        super().__init__("smtp-sink")

    def _serve(self, sock):
        sock.settimeout(60)
        sock.sendall(b"220 relay.localhost ESMTP test sink\r\n")
        buf = b""
        while not self._stop.is_set():
            while b"\n" not in buf:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                buf += chunk
            line, buf = buf.split(b"\n", 1)
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"HELO"):
                sock.sendall(b"250-relay.localhost\r\n250 8BITMIME\r\n")
            elif verb in (b"NOOP", b"RSET"):
                sock.sendall(b"250 2.0.0 OK\r\n")
            elif verb == b"QUIT":
                sock.sendall(b"221 2.0.0 Bye\r\n")
                return
            elif verb in (b"MAIL", b"RCPT", b"DATA", b"BDAT"):
                sock.sendall(b"554 5.7.1 This test relay accepts no mail\r\n")
            else:
                sock.sendall(b"502 5.5.2 Not implemented\r\n")


class Managed:
    """A server that a with block starts and stops (stopped also when
    starting fails).  start() calls _start_once(), again with other ports
    when one was taken in the meantime; stop() must be safe to repeat."""

    start_seconds = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        started = time.monotonic()
        for attempt in range(3):
            try:
                self._start_once()
                break
            except BaseException as e:
                self.stop()
                if "Address already in use" not in str(e) or attempt == 2:
                    raise
        self.start_seconds = time.monotonic() - started


class Dovecot(Managed):
    """A dovecot serving IMAP and submission to the given users.

    users maps login names (e.g. "alice@example.com") to passwords (str).
    Create and start it in a thread that outlives it (normally the main
    thread): dovecot gets SIGTERM when the thread that started it ends, so
    that it never outlives a killed test.
    """

    def __init__(self, users, *, binary=None, hostnames=(), sasl=False, failure_delays=False):
        for name in users:
            if not name or any(c in name for c in ":\n\r\t ") or not name.isprintable():
                raise ValueError("unusable user name for passwd-file: %r" % name)
        if isinstance(hostnames, str):
            raise TypeError("hostnames must be a list of names, not a string")
        for name in hostnames:
            if not name or not all(c.isascii() and (c.isalnum() or c in ".-*") for c in name):
                raise ValueError("unusable certificate host name: %r" % name)
        self.users = dict(users)
        # Extra DNS names in the server certificate, besides localhost.
        self.hostnames = list(hostnames)
        self.binary = binary or shutil.which("dovecot") or "/usr/sbin/dovecot"
        # sasl: an auth socket for other servers (Postfix's smtpd_sasl_type
        # = dovecot) at self.sasl_socket, open to every local user.
        self.sasl = sasl
        self.sasl_socket = None
        # failure_delays: keep dovecot's own delays for failed logins.
        self.failure_delays = failure_delays
        self.base = None
        self.proc = None
        self.ca_file = None
        self.log_path = None
        self.imaps_port = self.imap_port = None
        self.submissions_port = self.submission_port = None
        self.relay_port = None          # the stub SMTP relay behind submission
        self._sink = None
        self.config_file = None
        self._backend_ports = None      # dovecot's own plain listeners
        self._relays = []
        self._stderr = None

    # -- setup -----------------------------------------------------------

    def _identity(self):
        """(login user, internal user, uid, gid) for the user settings:
        dovenull/dovecot as root, else the current user for all of them."""
        if os.geteuid() == 0:
            internal = pwd.getpwnam("dovecot")
            login = pwd.getpwnam("dovenull").pw_name
            return login, internal.pw_name, internal.pw_uid, internal.pw_gid
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me.pw_uid, os.getegid()

    def _write_passwd(self):
        _, _, uid, gid = self._identity()
        path = os.path.join(self.base, "passwd")
        with open(path, "w", encoding="ascii") as f:
            for name, password in self.users.items():
                encoded = base64.b64encode(password.encode("utf-8")).decode("ascii")
                f.write("%s:{PLAIN.BASE64}%s\n" % (name, encoded))
        os.chmod(path, 0o600)
        if os.geteuid() == 0:
            os.chown(path, uid, gid)   # read by the auth process (internal user)
        return path

    def _write_config(self, passwd):
        b = self.base
        login_user, internal_user, uid, gid = self._identity()
        mail = os.path.join(b, "mail")
        os.makedirs(mail)
        if os.geteuid() == 0:
            os.chown(mail, uid, gid)
        os.chmod(mail, 0o700)
        # Non-root dovecot cannot chroot (anvil's default is "empty").
        anvil_chroot = "" if os.geteuid() == 0 else "  chroot =\n"
        failure_delay = no_penalty = sasl = ""
        if not self.failure_delays:
            failure_delay = "auth_failure_delay = 0\n"
            no_penalty = """\
# An unusable socket turns off the authentication penalty (an extra delay
# of up to 15 s per failure from the same address); auth_failure_delay
# above is the other delay for failures.
service anvil {{
{anvil_chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""".format(anvil_chroot=anvil_chroot)
        if self.sasl:
            self.sasl_socket = os.path.join(b, "run", "auth-sasl")   # in base_dir
            sasl = """\
service auth {
  unix_listener auth-sasl {
    mode = 0666
  }
}
"""
        config = """\
# Generated by tests/servers/dovecot.py -- test server, loopback only.
protocols = imap submission
listen = 127.0.0.1
base_dir = {b}/run
state_dir = {b}/state
instance_name = mail-setup-test-{pid}
log_path = {b}/dovecot.log
info_log_path = {b}/dovecot.log
debug_log_path = {b}/dovecot.log
auth_verbose = yes
{failure_delay}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {uid}

ssl = required
disable_plaintext_auth = yes
ssl_min_protocol = TLSv1.2
ssl_cert = <{b}/server.pem
ssl_key = <{b}/server.key

auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
mail_location = maildir:{mail}/%u

submission_relay_host = 127.0.0.1
# A stub (see _SmtpSink) that answers QUIT and refuses all mail.
submission_relay_port = {relay}
hostname = localhost

service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service submission-login {{
  chroot =
  inet_listener submission {{
    address = 127.0.0.1
    port = {submission}
  }}
  inet_listener submissions {{
    address = 127.0.0.1
    port = {submissions}
    ssl = yes
  }}
}}
{no_penalty}{sasl}""".format(b=b, pid=os.getpid(), login_user=login_user,
           internal_user=internal_user, uid=uid, gid=gid,
           internal_group=grp.getgrgid(gid).gr_name,
           passwd=passwd, mail=mail, relay=self.relay_port,
           imap=self._backend_ports[0], imaps=self.imaps_port,
           submission=self._backend_ports[1],
           submissions=self.submissions_port,
           failure_delay=failure_delay, no_penalty=no_penalty, sasl=sasl)
        path = os.path.join(b, "dovecot.conf")
        with open(path, "w") as f:
            f.write(config)
        return path

    def log(self):
        """The server's log so far (str)."""
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def start(self):
        """Start dovecot; retried with other ports if one was taken in
        the meantime.  Raises DovecotError (with the log) on failure."""
        super().start()

    def _start_once(self):
        self.base = tempfile.mkdtemp(prefix="mail-setup-dovecot-")
        # dovecot's unprivileged processes must be able to reach their
        # sockets and the mail store below this directory.
        os.chmod(self.base, 0o755)
        for sub in ("run", "state"):
            os.makedirs(os.path.join(self.base, sub))
        self.log_path = os.path.join(self.base, "dovecot.log")
        imap_backend, submission_backend, self.imaps_port, self.submissions_port = \
            _free_ports(4)
        self._sink = _SmtpSink()
        self.relay_port = self._sink.port
        self._backend_ports = (imap_backend, submission_backend)
        self.ca_file = make_certificates(self.base, self.hostnames)
        self.config_file = self._write_config(self._write_passwd())

        # -F keeps the master in the foreground: it is our child (its pid is
        # the one in master.pid), we see it die, and it stays in our process
        # group so a test runner that kills the group (meson on timeout)
        # kills it too.  If we die anyway, the kernel sends it SIGTERM.
        self._stderr = open(os.path.join(self.base, "dovecot.stderr"), "w+b")
        self.proc = subprocess.Popen([self.binary, "-F", "-c", self.config_file],
                                     stdin=subprocess.DEVNULL, stdout=self._stderr,
                                     stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        atexit.register(self.stop)

        for backend in self._backend_ports:
            self._relays.append(_Relay(backend))
        self.imap_port, self.submission_port = (r.port for r in self._relays)
        if self._relays[0].source is None:
            print("dovecot.py: warning: cannot connect from %s; the plain ports will "
                  "allow plaintext login (dovecot trusts local == remote address)"
                  % _Relay.SOURCE, file=sys.stderr)

        # Ready when the TLS ports accept connections and the plain ones
        # greet (which needs the login and auth processes up).
        pending = [(self.imaps_port, None), (self.submissions_port, None),
                   (imap_backend, b"* OK"), (submission_backend, b"220 ")]
        checks = [("port %d" % port, lambda deadline, port=port, greeting=greeting:
                   _port_ready(port, greeting, deadline)) for port, greeting in pending]
        if self.sasl_socket:
            checks.append(("auth socket", lambda deadline: _unix_ready(self.sasl_socket)))
        wait_ready("dovecot", [self.proc], checks, START_TIMEOUT, self._diagnostics)

    def _diagnostics(self):
        out = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            out = self._stderr.read().decode(errors="replace")
        return "--- dovecot output ---\n%s--- %s ---\n%s" % (out, self.log_path, self.log())

    # -- teardown --------------------------------------------------------

    def _master_pid(self):
        try:
            with open(os.path.join(self.base, "run", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        """Stop dovecot and remove everything; safe to call more than once."""
        atexit.unregister(self.stop)
        for service in self._relays + [self._sink]:
            if service is not None:
                service.close()
        self._relays = []
        self._sink = None
        if self.proc is not None:
            if self.proc.poll() is None:
                # master.pid holds our child's pid (dovecot -F does not fork).
                pid = self._master_pid()
                if pid != self.proc.pid:
                    pid = self.proc.pid
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=STOP_TIMEOUT)
            self.proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self.base is not None:
            if os.environ.get("MAIL_SETUP_KEEP_DOVECOT"):
                print("dovecot.py: kept %s" % self.base, file=sys.stderr)
            else:
                shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def sasl_auth(self, user, password, remote_ip="127.0.0.1", timeout=60):
        """One PLAIN authentication through the sasl socket, as Postfix
        makes it for a client at remote_ip over TLS; dovecot's delays
        apply.  Returns True for OK, False for FAIL."""
        blob = base64.b64encode(("\0%s\0%s" % (user, password)).encode("utf-8")).decode()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.sasl_socket)
            s.sendall(("VERSION\t1\t2\nCPID\t%d\n" % os.getpid()).encode())
            reader = s.makefile("rb")
            while reader.readline().rstrip(b"\n") != b"DONE":
                pass
            s.sendall(("AUTH\t1\tPLAIN\tservice=smtp\tsecured\trip=%s\tlip=127.0.0.1"
                       "\tresp=%s\n" % (remote_ip, blob)).encode())
            for line in reader:
                verb = line.split(b"\t", 1)[0]
                if verb in (b"OK", b"FAIL"):
                    return verb == b"OK"
            raise DovecotError("dovecot's auth socket closed without an answer")

    def plain_traffic(self):
        """What clients have sent to the plain ports so far, as
        {"imap": bytes, "submission": bytes}: cleartext up to STARTTLS,
        TLS records after it.  Tests can check that no password crossed
        them in clear."""
        names = ("imap", "submission")
        result = {}
        for name, relay in zip(names, self._relays):
            with relay._lock:
                result[name] = bytes(relay.from_clients)
        return result

    def plain_sessions(self):
        """Like plain_traffic(), but each connection apart, in the order
        they were accepted: {"imap": [bytes, ...], "submission": [...]}.
        Concurrent connections interleave in plain_traffic()."""
        names = ("imap", "submission")
        result = {}
        for name, relay in zip(names, self._relays):
            with relay._lock:
                result[name] = [bytes(session) for session in relay.sessions]
        return result

    def info(self):
        return {"imaps_port": self.imaps_port, "imap_port": self.imap_port,
                "submissions_port": self.submissions_port,
                "submission_port": self.submission_port,
                "ca_file": self.ca_file, "log_path": self.log_path,
                "config_file": self.config_file, "users": self.users,
                "hostnames": ["localhost"] + self.hostnames}


def main():
    import argparse
    parser = argparse.ArgumentParser(description="Run a test dovecot on 127.0.0.1.")
    parser.add_argument("--user", default="alice@example.com")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--hostname", action="append", default=[],
                        help="another DNS name for the certificate (repeatable)")
    args = parser.parse_args()

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)   # `kill` cleans up as Ctrl-C does
    with Dovecot(users={args.user: args.password}, hostnames=args.hostname) as d:
        print(json.dumps(d.info(), indent=2, ensure_ascii=False), flush=True)
        print("dovecot is running (started in %.2f s); Ctrl-C to stop" % d.start_seconds,
              file=sys.stderr, flush=True)
        try:
            while d.proc.poll() is None:
                time.sleep(1)
            print("dovecot exited\n" + d._diagnostics(), file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
