#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scriptable fake IMAP/SMTP server for the things a real server cannot be
made to do: hostile greetings, wrong certificates, TLS 1.0 only, plaintext
injected with the STARTTLS reply, stalls, resets, huge lines, and the exact
error texts of Chinese providers (GBK bytes included).

Standard library only. Listens on 127.0.0.1 only, on a free port.

    pki = make_pki(tmpdir)
    scenario = Scenario(protocol="imap", tls="implicit", cert="good",
                        rules=[(IMAP_LOGIN, b"{tag} NO [AUTHENTICATIONFAILED] no\\r\\n")])
    with FakeServer(scenario, pki) as server:
        ... connect to ("localhost", server.port) ...
    server.received            # [[line, line, ...], ...] one list per connection
    server.saw_login()         # any LOGIN/AUTHENTICATE/AUTH command at all?
    server.saw_plaintext_credentials(password)

A rule is (regex, response). The regex is searched (case-insensitively) in
the client's command line, decoded as latin-1 without the CRLF; IMAP
literals are folded into the line. Rules are tried in order before the
built-in answers. A response is:
  * bytes: sent as they are, "{tag}" replaced by the IMAP tag of the command;
  * a callable f(session, line) returning bytes or an action;
  * an action: Close(data), Reset(data) or Stall(data).
For a SASL command (IMAP AUTHENTICATE, SMTP AUTH) with a bytes or callable
response, the server first runs the normal continuation dialogue ("+ ",
"334 ...") and sends the response as the final answer; actions happen as
soon as the command line arrives.
"""

import base64
import dataclasses
import datetime
import os
import re
import socket
import ssl
import struct
import subprocess
import threading
import time
import warnings
from typing import Any, Callable, Optional, Union

__all__ = [
    "FakeServer", "Scenario", "Session", "Close", "Reset", "Stall", "PKI",
    "make_pki", "IMAP_LOGIN", "SMTP_AUTH", "ALERT_HANDSHAKE_FAILURE",
    "GARBAGE", "HUGE_LINE_SIZE",
]

# Regexes for the login commands, for rules.
IMAP_LOGIN = r"^\S+ (LOGIN|AUTHENTICATE)\b"
SMTP_AUTH = r"^AUTH\b"

# What a fake_handshake can answer a ClientHello with.
ALERT_HANDSHAKE_FAILURE = b"\x15\x03\x01\x00\x02\x02\x28"  # fatal handshake_failure
GARBAGE = b"HTTP/1.0 400 Bad Request\r\n\r\n" + bytes(range(256)) * 4

HUGE_LINE_SIZE = 1024 * 1024
MAX_CLIENT_LINE = 1024 * 1024


# ---------------------------------------------------------------------------
# Actions


@dataclasses.dataclass
class Close:
    """Send data, then close the connection normally (FIN)."""
    data: bytes = b""


@dataclasses.dataclass
class Reset:
    """Send data, then close abruptly: SO_LINGER 0, so the client gets RST."""
    data: bytes = b""


@dataclasses.dataclass
class Stall:
    """Send data, then keep the connection open and say nothing more (the
    client's input is read and thrown away) until the client closes, the
    connection times out or the server stops."""
    data: bytes = b""


Action = Union[Close, Reset, Stall]
Response = Union[bytes, Action, Callable[["Session", str], Union[bytes, Action]]]

_DEFAULT = object()


@dataclasses.dataclass
class Scenario:
    """What one fake server does. Every field has a default that makes a
    well-behaved server for a normal client flow."""

    protocol: str = "imap"               # "imap" | "smtp"
    tls: str = "implicit"                # "implicit" | "starttls" | "none"
    cert: Any = "good"                   # a name in the PKI, or (certfile, keyfile)
    tls_min_version: Optional[ssl.TLSVersion] = None
    tls_max_version: Optional[ssl.TLSVersion] = None
    # Instead of a real TLS handshake: read the ClientHello, send these bytes
    # and close (e.g. ALERT_HANDSHAKE_FAILURE or GARBAGE).
    fake_handshake: Optional[bytes] = None

    # Bytes sent on connect (after the handshake for implicit TLS), an
    # action, or None: never send it (stall). Default: a normal greeting.
    # An IMAP greeting starting with "* BYE" closes the connection after it.
    greeting: Any = _DEFAULT
    rules: list = dataclasses.field(default_factory=list)

    # IMAP CAPABILITY words (STARTTLS is added by the server when offered).
    imap_capabilities: str = "IMAP4rev1 ID AUTH=PLAIN SASL-IR"
    # SMTP EHLO extensions (STARTTLS is added by the server when offered).
    smtp_extensions: tuple = ("PIPELINING", "8BITMIME", "AUTH PLAIN LOGIN")

    # Hostile behaviours.
    starttls_offered: bool = True        # False: not advertised, command refused
    inject_after_starttls: Any = b""     # bytes (or f(session) -> bytes) sent in the
                                         # same write as the STARTTLS reply; "{tag}" filled
    huge_line: Optional[str] = None      # None | "crlf" | "no-crlf": 1 MiB line, then stall
    huge_line_on: Optional[str] = None   # regex: send it as the answer to this command
                                         # (default: instead of the greeting)
    reset_on: Optional[str] = None       # regex: RST when a command matches
    silent_after_accept: bool = False    # accept TCP, never send anything

    conn_timeout: float = 30.0           # each connection ends after this long


class Session:
    """One client connection, as the rules and the test see it."""

    def __init__(self, index: int, scenario: Scenario):
        self.index = index
        self.scenario = scenario
        self.tls = False                 # TLS is up on this connection
        self.tls_version: Optional[str] = None
        self.tls_error: Optional[str] = None
        self.lines: list = []            # [(tls: bool, line: str)] everything received
        self.data: dict = {}             # free for callables; "id" set after an IMAP ID
        self.tag = ""                    # IMAP tag of the current command
        self.buffered = b""              # what had arrived behind the current command
        self.closed_by: Optional[str] = None

    @property
    def commands(self) -> list:
        return [line for _, line in self.lines]

    def has_command(self, regex: str) -> bool:
        return any(re.search(regex, line, re.I) for line in self.commands)


# ---------------------------------------------------------------------------
# Certificates


@dataclasses.dataclass
class PKI:
    """Paths made by make_pki(): the CA certificate, the one server key,
    and a certificate file per name."""
    directory: str
    ca: str
    ca_key: str
    key: str
    certs: dict

    def cert(self, name: str) -> str:
        return self.certs[name]


def _certtool(*args, template: Optional[str] = None, directory: str):
    cmd = ["certtool", *args]
    if template is not None:
        path = os.path.join(directory, "template.cfg")
        with open(path, "w") as f:
            f.write(template)
        cmd += ["--template", path]
    result = subprocess.run(cmd, capture_output=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError("certtool %s failed: %s" % (" ".join(args), result.stderr.decode()))
    return result.stdout


def _date(delta_days: float) -> str:
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=delta_days)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def make_pki(directory: str) -> PKI:
    """Make a test CA and server certificates in directory:
    good        CN localhost, SAN localhost + IP 127.0.0.1, signed by the CA;
    wrong_host  SAN mail.example.net only, signed by the CA;
    expired     SAN localhost, signed by the CA, validity ended 30 days ago;
    self_signed SAN localhost + IP 127.0.0.1, self-signed (not the CA).
    """
    os.makedirs(directory, exist_ok=True)
    p = lambda name: os.path.join(directory, name)  # noqa: E731

    _certtool("--generate-privkey", "--key-type=rsa", "--bits=2048",
              "--outfile", p("ca-key.pem"), directory=directory)
    _certtool("--generate-self-signed", "--load-privkey", p("ca-key.pem"),
              "--outfile", p("ca.pem"), directory=directory, template=(
                  'cn = "Mail Setup Test CA"\n'
                  'organization = "Mail Setup tests"\n'
                  'serial = 1\n'
                  'activation_date = "%s"\n'
                  'expiration_date = "%s"\n'
                  'ca\n'
                  'cert_signing_key\n'
                  'crl_signing_key\n') % (_date(-2), _date(3650)))
    _certtool("--generate-privkey", "--key-type=rsa", "--bits=2048",
              "--outfile", p("server-key.pem"), directory=directory)

    leaf = ('cn = "%(cn)s"\n'
            'serial = %(serial)d\n'
            'activation_date = "%(start)s"\n'
            'expiration_date = "%(end)s"\n'
            '%(names)s'
            'tls_www_server\n'
            'signing_key\n'
            'encryption_key\n')
    localhost = 'dns_name = "localhost"\nip_address = "127.0.0.1"\n'
    specs = {
        "good": dict(cn="localhost", serial=2, start=_date(-1), end=_date(365), names=localhost),
        "wrong_host": dict(cn="mail.example.net", serial=3, start=_date(-1), end=_date(365),
                           names='dns_name = "mail.example.net"\n'),
        "expired": dict(cn="localhost", serial=4, start=_date(-400), end=_date(-30),
                        names='dns_name = "localhost"\n'),
    }
    certs = {}
    for name, spec in specs.items():
        _certtool("--generate-certificate", "--load-privkey", p("server-key.pem"),
                  "--load-ca-certificate", p("ca.pem"), "--load-ca-privkey", p("ca-key.pem"),
                  "--outfile", p(name + ".pem"), directory=directory, template=leaf % spec)
        certs[name] = p(name + ".pem")
    _certtool("--generate-self-signed", "--load-privkey", p("server-key.pem"),
              "--outfile", p("self_signed.pem"), directory=directory,
              template=leaf % dict(cn="localhost", serial=5, start=_date(-1), end=_date(365),
                                   names=localhost))
    certs["self_signed"] = p("self_signed.pem")
    os.unlink(p("template.cfg"))
    return PKI(directory=directory, ca=p("ca.pem"), ca_key=p("ca-key.pem"),
               key=p("server-key.pem"), certs=certs)


# ---------------------------------------------------------------------------
# The server


class _Closed(Exception):
    """The connection is over (peer closed, timeout, action, server stop)."""


class _Conn:
    """The socket of one connection and its input buffer."""

    def __init__(self, server: "FakeServer", sock: socket.socket, session: Session):
        self.server = server
        self.sock = sock
        self.session = session
        self.buf = b""
        self.deadline = time.monotonic() + session.scenario.conn_timeout

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0 or self.server._stopping.is_set():
            raise _Closed("timeout")
        return left

    def send(self, data: bytes):
        if not data:
            return
        self.sock.settimeout(self._remaining())
        try:
            self.sock.sendall(data)
        except (OSError, ValueError) as e:
            raise _Closed("send: %s" % e)

    def _fill(self):
        self.sock.settimeout(min(self._remaining(), 1.0))
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return
        except (OSError, ValueError) as e:
            raise _Closed("recv: %s" % e)
        if not chunk:
            raise _Closed("eof")
        self.buf += chunk

    def read_raw_line(self) -> bytes:
        while b"\n" not in self.buf:
            if len(self.buf) > MAX_CLIENT_LINE:
                raise _Closed("client line too long")
            self._fill()
        line, _, self.buf = self.buf.partition(b"\n")
        return line[:-1] if line.endswith(b"\r") else line

    def read_exact(self, count: int) -> bytes:
        while len(self.buf) < count:
            self._fill()
        data, self.buf = self.buf[:count], self.buf[count:]
        return data

    def read_line(self) -> str:
        """One line, recorded; IMAP literals ({N} / {N+}) are read and folded in."""
        line = self.read_raw_line()
        if self.session.scenario.protocol == "imap":
            while True:
                m = re.search(rb"\{(\d+)(\+?)\}$", line)
                if not m or int(m.group(1)) > MAX_CLIENT_LINE:
                    break
                if not m.group(2):
                    self.send(b"+ Ready for literal data\r\n")
                line += b"\r\n" + self.read_exact(int(m.group(1)))
                line += self.read_raw_line()
        text = line.decode("latin-1")
        self.session.lines.append((self.session.tls, text))
        self.session.buffered = self.buf
        return text

    def stall(self):
        """Read and drop input until EOF, timeout or stop."""
        while True:
            self._fill()
            self.buf = b""

    def reset(self):
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        raise _Closed("reset")

    def act(self, action):
        if isinstance(action, (bytes, bytearray)):
            self.send(bytes(action))
            return
        self.send(action.data)
        if isinstance(action, Close):
            raise _Closed("close")
        if isinstance(action, Reset):
            self.reset()
        if isinstance(action, Stall):
            self.stall()
        raise TypeError("not a response: %r" % (action,))


class FakeServer:
    """Context manager: a fake mail server on 127.0.0.1:port, serving each
    connection in its own thread according to a Scenario."""

    def __init__(self, scenario: Optional[Scenario] = None, pki: Optional[PKI] = None,
                 **fields):
        if scenario is None:
            scenario = Scenario(**fields)
        elif fields:
            scenario = dataclasses.replace(scenario, **fields)
        if scenario.protocol not in ("imap", "smtp"):
            raise ValueError("protocol: imap or smtp")
        if scenario.tls not in ("implicit", "starttls", "none"):
            raise ValueError("tls: implicit, starttls or none")
        if scenario.huge_line not in (None, "crlf", "no-crlf"):
            raise ValueError("huge_line: None, 'crlf' or 'no-crlf'")
        self.scenario = scenario
        self.pki = pki
        self.sessions: list = []
        self.port = 0
        self._ctx = self._make_context() if scenario.tls != "none" else None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list = []
        self._controls: list = []   # dup()s of every accepted socket, to shut them down
        self._listener: Optional[socket.socket] = None
        self._accept_thread: Optional[threading.Thread] = None
        self.errors: list = []      # unexpected exceptions in connection threads

    # -- public ---------------------------------------------------------------

    @property
    def address(self) -> str:
        """HOST:PORT with host localhost, matching the good certificate."""
        return "localhost:%d" % self.port

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self.sessions)

    @property
    def received(self) -> list:
        """Per connection, the lines the client sent (latin-1, no CRLF)."""
        with self._lock:
            return [list(s.commands) for s in self.sessions]

    def login_lines(self, tls: Optional[bool] = None) -> list:
        """The login commands received (IMAP LOGIN/AUTHENTICATE, SMTP AUTH);
        tls=False: only those sent before TLS was up, True: only after."""
        regex = IMAP_LOGIN if self.scenario.protocol == "imap" else SMTP_AUTH
        with self._lock:
            return [line for s in self.sessions for was_tls, line in s.lines
                    if re.search(regex, line, re.I) and (tls is None or was_tls == tls)]

    def saw_login(self) -> bool:
        return bool(self.login_lines())

    def saw_plaintext_credentials(self, password: Optional[str] = None) -> bool:
        """A login command, or the password (as is or in base64 SASL), sent
        on a connection while it was not encrypted."""
        if self.login_lines(tls=False):
            return True
        if password:
            with self._lock:
                plain = [line for s in self.sessions for was_tls, line in s.lines if not was_tls]
            for line in plain:
                if password in line:
                    return True
                for word in re.findall(r"[A-Za-z0-9+/=]{8,}", line):
                    try:
                        if password.encode() in base64.b64decode(word, validate=True):
                            return True
                    except ValueError:
                        pass
        return False

    def start(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
        ls.listen(16)
        ls.settimeout(0.2)
        self._listener = ls
        self.port = ls.getsockname()[1]
        self._accept_thread = threading.Thread(target=self._accept_loop,
                                               name="fakeserver-accept", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._accept_thread is not None:
            self._accept_thread.join(5)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            threads = list(self._threads)
            for ctl in self._controls:
                try:
                    ctl.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for t in threads:
            t.join(5)
        with self._lock:
            for ctl in self._controls:  # only left by a thread that did not end
                ctl.close()
            self._controls.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- internals ----------------------------------------------------------

    def _make_context(self) -> ssl.SSLContext:
        s = self.scenario
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if isinstance(s.cert, (tuple, list)):
            certfile, keyfile = s.cert
        else:
            if self.pki is None:
                raise ValueError("a certificate name needs the pki argument")
            certfile, keyfile = self.pki.cert(s.cert), self.pki.key
        ctx.load_cert_chain(certfile, keyfile)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old = [v for v in (s.tls_min_version, s.tls_max_version)
                   if v is not None and v < ssl.TLSVersion.TLSv1_2]
            if old:
                # TLS 1.0/1.1 need OpenSSL security level 0.
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            if s.tls_min_version is not None:
                ctx.minimum_version = s.tls_min_version
            if s.tls_max_version is not None:
                ctx.maximum_version = s.tls_max_version
        return ctx

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self._lock:
                if self._stopping.is_set():
                    sock.close()
                    break
                session = Session(len(self.sessions), self.scenario)
                self.sessions.append(session)
                ctl = sock.dup()
                self._controls.append(ctl)
                t = threading.Thread(target=self._serve, args=(sock, ctl, session),
                                     name="fakeserver-conn-%d" % session.index, daemon=True)
                self._threads.append(t)
            t.start()

    def _serve(self, sock: socket.socket, ctl: socket.socket, session: Session):
        conn = _Conn(self, sock, session)
        try:
            self._run(conn)
            session.closed_by = "server"
        except _Closed as e:
            session.closed_by = str(e)
        except Exception as e:  # a bug in a script or in this file
            session.closed_by = "error: %r" % e
            self.errors.append(e)
        finally:
            if session.tls and session.closed_by in ("server", "close", "logout", "quit"):
                # A polite end, as real servers do: TLS close_notify first,
                # without waiting for the client's.
                try:
                    conn.sock.setblocking(False)
                    conn.sock.unwrap()
                except (ssl.SSLError, OSError, ValueError):
                    pass
            # Both descriptors must go for the client to see the FIN (or RST).
            with self._lock:
                try:
                    conn.sock.close()
                except OSError:
                    pass
                if ctl in self._controls:
                    self._controls.remove(ctl)
                    ctl.close()

    def _handshake(self, conn: _Conn):
        s = self.scenario
        if s.fake_handshake is not None:
            conn._fill()  # the ClientHello, or part of it
            conn.buf = b""
            conn.send(s.fake_handshake)
            raise _Closed("fake handshake")
        if conn.buf:
            # The client sent more after its STARTTLS command: drop it.
            conn.session.lines.append((False, "<%d bytes before TLS dropped>" % len(conn.buf)))
            conn.buf = b""
        tls = self._ctx.wrap_socket(conn.sock, server_side=True, do_handshake_on_connect=False)
        conn.sock = tls
        tls.settimeout(conn._remaining())
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError, ValueError) as e:
            conn.session.tls_error = str(e)
            raise _Closed("handshake: %s" % e)
        conn.session.tls = True
        conn.session.tls_version = tls.version()

    def _huge(self) -> Stall:
        s = self.scenario
        start = b"* OK " if s.protocol == "imap" else b"220 "
        body = start + b"x" * (HUGE_LINE_SIZE - len(start))
        return Stall(body + (b"\r\n" if s.huge_line == "crlf" else b""))

    def _run(self, conn: _Conn):
        s = self.scenario
        if s.silent_after_accept:
            conn.stall()
        if s.tls == "implicit":
            self._handshake(conn)

        greeting = s.greeting
        if s.huge_line and not s.huge_line_on:
            greeting = self._huge()
        elif greeting is _DEFAULT:
            greeting = (b"* OK Fake IMAP server ready\r\n" if s.protocol == "imap"
                        else b"220 localhost ESMTP Fake server ready\r\n")
        if greeting is None:
            greeting = Stall()
        conn.act(greeting)
        if s.protocol == "imap" and isinstance(greeting, bytes) and greeting.startswith(b"* BYE"):
            raise _Closed("bye greeting")

        rules = []
        if s.reset_on:
            rules.append((s.reset_on, Reset()))
        if s.huge_line and s.huge_line_on:
            rules.append((s.huge_line_on, self._huge()))
        rules += list(s.rules)

        handler = self._imap_command if s.protocol == "imap" else self._smtp_command
        while True:
            line = conn.read_line()
            if s.protocol == "imap":
                conn.session.tag = line.split(" ", 1)[0] if line.strip() else "*"
            handler(conn, line, rules)

    # Rules -----------------------------------------------------------------

    def _find_rule(self, rules, line):
        for regex, response in rules:
            if re.search(regex, line, re.I | re.S):
                return response
        return None

    def _fill_tag(self, conn: _Conn, data: bytes) -> bytes:
        return data.replace(b"{tag}", conn.session.tag.encode("latin-1"))

    def _answer(self, conn: _Conn, response, line: str):
        """Send a rule's response (after resolving a callable)."""
        if callable(response) and not isinstance(response, (Close, Reset, Stall)):
            response = response(conn.session, line)
        if isinstance(response, (bytes, bytearray)):
            conn.send(self._fill_tag(conn, bytes(response)))
        else:
            conn.act(dataclasses.replace(response, data=self._fill_tag(conn, response.data)))

    def _injection(self, session: Session) -> bytes:
        inject = self.scenario.inject_after_starttls
        return inject(session) if callable(inject) else inject

    def _starttls_available(self, session: Session) -> bool:
        s = self.scenario
        return s.tls == "starttls" and s.starttls_offered and not session.tls

    # IMAP ------------------------------------------------------------------

    def _imap_capabilities(self, session: Session) -> str:
        caps = self.scenario.imap_capabilities
        if self._starttls_available(session):
            caps += " STARTTLS"
        return caps

    def _imap_sasl(self, conn: _Conn, line: str) -> bool:
        """The AUTHENTICATE dialogue; False when the client cancelled."""
        words = line.split()
        mech = words[2].upper() if len(words) > 2 else ""
        if mech == "PLAIN" and len(words) < 4:
            conn.send(b"+ \r\n")
            return conn.read_line().strip() != "*"
        if mech == "LOGIN":
            prompts = [b"VXNlcm5hbWU6", b"UGFzc3dvcmQ6"]  # "Username:", "Password:"
            if len(words) > 3:  # SASL-IR: the user name came with the command
                prompts = prompts[1:]
            for prompt in prompts:
                conn.send(b"+ " + prompt + b"\r\n")
                if conn.read_line().strip() == "*":
                    return False
        return True

    def _imap_command(self, conn: _Conn, line: str, rules):
        session = conn.session
        words = line.split()
        cmd = words[1].upper() if len(words) > 1 else ""
        response = self._find_rule(rules, line)
        if response is not None:
            if cmd == "AUTHENTICATE" and not isinstance(response, (Close, Reset, Stall)):
                if not self._imap_sasl(conn, line):
                    conn.send(self._fill_tag(conn, b"{tag} BAD AUTHENTICATE cancelled\r\n"))
                    return
            self._answer(conn, response, line)
            return

        t = self._fill_tag
        if len(words) < 2:
            conn.send(b"* BAD Missing command\r\n")
        elif cmd == "CAPABILITY":
            conn.send(t(conn, b"* CAPABILITY " + self._imap_capabilities(session).encode()
                        + b"\r\n{tag} OK CAPABILITY completed\r\n"))
        elif cmd == "NOOP":
            conn.send(t(conn, b"{tag} OK NOOP completed\r\n"))
        elif cmd == "STARTTLS":
            if self._starttls_available(session):
                conn.send(t(conn, b"{tag} OK Begin TLS negotiation now\r\n"
                            + self._injection(session)))
                self._handshake(conn)
            else:
                conn.send(t(conn, b"{tag} BAD STARTTLS not available\r\n"))
        elif cmd == "LOGIN":
            conn.send(t(conn, b"{tag} OK LOGIN completed\r\n"))
        elif cmd == "AUTHENTICATE":
            mech = words[2].upper() if len(words) > 2 else ""
            if mech not in ("PLAIN", "LOGIN"):
                conn.send(t(conn, b"{tag} NO Unsupported mechanism\r\n"))
            elif self._imap_sasl(conn, line):
                conn.send(t(conn, b"{tag} OK AUTHENTICATE completed\r\n"))
            else:
                conn.send(t(conn, b"{tag} BAD AUTHENTICATE cancelled\r\n"))
        elif cmd == "ID":
            if re.search(r"(^|\s)ID(\s|$)", self.scenario.imap_capabilities, re.I):
                session.data["id"] = line.split(None, 2)[2] if len(words) > 2 else ""
                conn.send(t(conn, b"* ID NIL\r\n{tag} OK ID completed\r\n"))
            else:
                conn.send(t(conn, b"{tag} BAD Unknown command\r\n"))
        elif cmd in ("EXAMINE", "SELECT"):
            conn.send(t(conn, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                        b"* 0 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n"
                        b"{tag} OK [READ-ONLY] " + cmd.encode() + b" completed\r\n"))
        elif cmd == "LOGOUT":
            conn.send(t(conn, b"* BYE Logging out\r\n{tag} OK LOGOUT completed\r\n"))
            raise _Closed("logout")
        else:
            conn.send(t(conn, b"{tag} BAD Unknown command\r\n"))

    # SMTP ------------------------------------------------------------------

    def _smtp_sasl(self, conn: _Conn, line: str) -> bool:
        """The AUTH dialogue; False when the client cancelled."""
        words = line.split()
        mech = words[1].upper() if len(words) > 1 else ""
        if mech == "PLAIN" and len(words) < 3:
            conn.send(b"334 \r\n")
            return conn.read_line().strip() != "*"
        if mech == "LOGIN":
            prompts = [b"VXNlcm5hbWU6", b"UGFzc3dvcmQ6"]
            if len(words) > 2:
                prompts = prompts[1:]
            for prompt in prompts:
                conn.send(b"334 " + prompt + b"\r\n")
                if conn.read_line().strip() == "*":
                    return False
        return True

    def _smtp_command(self, conn: _Conn, line: str, rules):
        session = conn.session
        words = line.split()
        cmd = words[0].upper() if words else ""
        response = self._find_rule(rules, line)
        if response is not None:
            if cmd == "AUTH" and not isinstance(response, (Close, Reset, Stall)):
                if not self._smtp_sasl(conn, line):
                    conn.send(b"501 5.7.0 Authentication cancelled\r\n")
                    return
            self._answer(conn, response, line)
            return

        if cmd == "EHLO":
            exts = list(self.scenario.smtp_extensions)
            if self._starttls_available(session):
                exts.insert(0, "STARTTLS")
            lines = ["localhost Hello"] + exts
            out = "".join("250%s%s\r\n" % ("-" if i < len(lines) - 1 else " ", text)
                          for i, text in enumerate(lines))
            conn.send(out.encode())
        elif cmd == "HELO":
            conn.send(b"250 localhost\r\n")
        elif cmd == "STARTTLS":
            if self._starttls_available(session):
                conn.send(b"220 2.0.0 Ready to start TLS\r\n" + self._injection(session))
                self._handshake(conn)
            else:
                conn.send(b"502 5.5.1 STARTTLS not available\r\n")
        elif cmd == "AUTH":
            mech = words[1].upper() if len(words) > 1 else ""
            if mech not in ("PLAIN", "LOGIN"):
                conn.send(b"504 5.5.4 Unrecognized authentication type\r\n")
            elif self._smtp_sasl(conn, line):
                conn.send(b"235 2.7.0 Authentication successful\r\n")
            else:
                conn.send(b"501 5.7.0 Authentication cancelled\r\n")
        elif cmd in ("NOOP", "RSET"):
            conn.send(b"250 2.0.0 OK\r\n")
        elif cmd == "QUIT":
            conn.send(b"221 2.0.0 Bye\r\n")
            raise _Closed("quit")
        else:
            conn.send(b"502 5.5.2 Error: command not recognized\r\n")
