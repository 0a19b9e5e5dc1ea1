#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real Courier IMAP (Debian's courier-imap 5.0 and courier-authlib
0.71, unpacked by packages.py) on 127.0.0.1.

    with Courier(users={"alice@example.com": "pw"}) as c:
        ... c.imaps_port, c.imap_port (STARTTLS), c.ca_file ...

Three processes, as Debian's init scripts start them: authdaemond (with
the userdb module), couriertcpd running imaplogin behind couriertls on the
implicit-TLS port, and couriertcpd running imaplogin on the plain port
(STARTTLS offered, required before LOGIN).  After a login imaplogin runs
imapd in its place, as the user.  Passwords are stored as {SHA512}
hashes in userdb, so no character needs quoting.  Courier's own delay
after a failed login (about 5 s) is kept.

Trick: authlib has its paths compiled in (/etc/courier/authdaemonrc and
userdb.dat, modules in /usr/lib/courier-authlib, the socket
/run/courier/authdaemon/socket) and STARTTLS starts couriertls with
-user=courier.  So each process runs in a mount namespace of its own
(unshare -m, hence root) with read-only overlays: the unpacked usr/ over
/usr; this instance's etc/ (authdaemonrc, userdb, and passwd/group with a
`courier` user, uid of Debian's `mail`) over the package's etc/ over
/etc; and a /run/courier/authdaemon that links to the instance's own
directory, so the processes share the socket.  Nothing outside changes.

Run it directly for manual testing:

    python3 tests/servers/courier.py [--user ADDRESS --password PW]
"""

import base64
import hashlib
import os
import pwd
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import packages  # noqa: E402
from dovecot import _free_ports, _run, _unix_ready  # noqa: E402
from realserver import RealServer, ServerError, require_root, serve_forever  # noqa: E402

# /etc/courier/imapd and imapd-ssl of the package, as far as they matter.
IMAP_ENV = {
    "IMAP_CAPABILITY": "IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT "
                       "THREAD=REFERENCES SORT QUOTA IDLE",
    "IMAP_KEYWORDS": "1",
    "IMAP_ACL": "1",
    "IMAP_PROXY": "0",
    "IMAP_IDLE_TIMEOUT": "60",
    "IMAP_MAILBOX_SANITY_CHECK": "1",
    "IMAP_UMASK": "022",
    "IMAP_USELOCKS": "1",
    "IMAP_ENHANCEDIDLE": "0",
    "IMAP_TRASHFOLDERNAME": "Trash",
    "IMAP_EMPTYTRASH": "Trash:7",
    "IMAP_MOVE_EXPUNGE_TO_TRASH": "0",
    "MAILDIRPATH": "Maildir",
    "COURIERTLS": "/usr/bin/couriertls",
    "TLS_PROTOCOL": "TLSv1.2+",
    "TLS_STARTTLS_PROTOCOL": "TLSv1.2+",
    "TLS_VERIFYPEER": "NONE",
    "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
}
IMAP_ENV["IMAP_CAPABILITY_TLS"] = IMAP_ENV["IMAP_CAPABILITY"] + " AUTH=PLAIN"


class Courier(RealServer):
    NAME = "courier"

    def __init__(self, users, *, packages_dir=None):
        super().__init__(users)
        self.packages_dir = packages_dir
        self.imap_port = self.imaps_port = None

    def _in_namespace(self, root, argv):
        """argv, run in a mount namespace where the unpacked packages and
        this instance's configuration are at the paths Courier expects."""
        for path in (root, self.base):
            if any(c in path for c in ":,"):
                raise ServerError("overlayfs cannot take %r as a layer" % path)
        script = "\n".join([
            "set -e",
            "mount -t overlay overlay -o ro,lowerdir=%s:%s:/etc /etc"
            % (shlex.quote(self.path("etc")), shlex.quote(os.path.join(root, "etc"))),
            "mount -t overlay overlay -o ro,lowerdir=%s:/usr /usr"
            % shlex.quote(os.path.join(root, "usr")),
            "mount -t overlay overlay -o ro,lowerdir=%s:/run /run" % shlex.quote(self.path("run")),
            'exec "$@"'])
        return ["unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", script, "sh", *argv]

    def _write_userdb(self, root, uid, gid):
        """userdb.dat and userdbshadow.dat, as makeuserdb makes them (it
        is a Perl script with the paths compiled in; makedatprog is not)."""
        makedat = os.path.join(root, "usr", "lib", "courier", "courier-authlib", "makedatprog")
        plain, shadow = [], []
        for name, password in self.users.items():
            home = self.path("mail", name)
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(home, "Maildir", sub))
            plain.append("%s\tuid=%d|gid=%d|home=%s|mail=%s/Maildir|_=\n"
                         % (name, uid, gid, home, home))
            digest = base64.b64encode(hashlib.sha512(password.encode("utf-8")).digest()).decode()
            shadow.append("%s\tsystempw={SHA512}%s\n" % (name, digest))
        for dat, lines in (("userdb", plain), ("userdbshadow", shadow)):
            stem = self.path("etc", "courier", dat)
            _run([makedat, "-", stem + ".tmp", stem + ".dat"],
                 input=("".join(lines) + ".\n").encode("utf-8"))
        for dirpath, dirnames, _ in os.walk(self.path("mail")):
            for name in dirnames:
                os.chown(os.path.join(dirpath, name), uid, gid)

    def _setup(self):
        require_root("Courier", "its processes run in mount namespaces")
        root = packages.ensure("courier", self.packages_dir)
        mail = pwd.getpwnam("mail")
        uid, gid = mail.pw_uid, mail.pw_gid
        self.imap_port, self.imaps_port = _free_ports(2)

        os.makedirs(self.path("etc", "courier"))
        with open(self.path("etc", "courier", "authdaemonrc"), "w") as f:
            f.write('authmodulelist="authuserdb"\n'
                    'daemons=3\n'
                    'authdaemonvar=/run/courier/authdaemon\n'
                    'DEBUG_LOGIN=0\n'
                    'DEFAULTOPTIONS=""\n')
        self._write_userdb(root, uid, gid)
        with open("/etc/passwd") as src, open(self.path("etc", "passwd"), "w") as f:
            f.write(src.read() + "courier:x:%d:%d:Courier (test):/nonexistent:/usr/sbin/nologin\n"
                    % (uid, gid))
        with open("/etc/group") as src, open(self.path("etc", "group"), "w") as f:
            f.write(src.read() + "courier:x:%d:\n" % gid)
        os.makedirs(self.path("authdaemon"))
        os.makedirs(self.path("run", "courier"))
        os.symlink(self.path("authdaemon"), self.path("run", "courier", "authdaemon"))
        # couriertls reads the key and certificate from one file.
        pem = self.path("imapd.pem")
        with open(pem, "wb") as f:
            for part in ("server.key", "server.pem"):
                with open(self.path(part), "rb") as src:
                    f.write(src.read())
        os.chmod(pem, 0o600)
        os.chown(pem, uid, gid)

        self.spawn("authdaemond", self._in_namespace(
            root, ["/usr/lib/courier/courier-authlib/authdaemond"]), env={"PATH": IMAP_ENV["PATH"]})
        self.wait_ready([("authdaemond socket",
                          lambda deadline: _unix_ready(self.path("authdaemon", "socket")))])

        tcpd = ["/usr/sbin/couriertcpd", "-address=127.0.0.1", "-nodnslookup",
                "-noidentlookup", "-maxprocs=40", "-maxperip=40"]
        imap = ["/usr/lib/courier/courier/imaplogin", "/usr/bin/imapd", "Maildir"]
        env = dict(IMAP_ENV, TLS_CERTFILE=pem, IMAP_STARTTLS="YES", IMAP_TLS_REQUIRED="1")
        self.spawn("imapd", self._in_namespace(root, tcpd + [str(self.imap_port)] + imap), env=env)
        env = dict(IMAP_ENV, TLS_CERTFILE=pem, IMAP_TLS="1")
        self.spawn("imapd-ssl", self._in_namespace(
            root, tcpd + [str(self.imaps_port), "/usr/bin/couriertls", "-server", "-tcpd",
                          "-user=courier"] + imap), env=env)
        self.wait_ready([self.port_check(self.imap_port, b"* OK"),
                         self.port_check(self.imaps_port, b"* OK", tls=True)])

    def info(self):
        return {"imap_port": self.imap_port, "imaps_port": self.imaps_port,
                "ca_file": self.ca_file, "users": self.users, "base": self.base}


if __name__ == "__main__":
    serve_forever(lambda user, password: Courier({user: password}))
