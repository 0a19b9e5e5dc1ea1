#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A TCP proxy on 127.0.0.1 that adds latency, for the verification
benchmarks (tests/bench/bench-verify.py), and a "black hole" that silently
drops connection attempts.

    proxy = LatencyProxy(target_port, delay_ms=50)   # RTT 100 ms
    proxy.start()            # in a thread of its own; proxy.port
    ... proxy.connections()  # per connection: [(t, "c>s"|"s>c", nbytes)]
    proxy.stop()

Every chunk read from either side is written to the other side delay_ms
later, in order.  The kernel completes the client's TCP handshake with the
proxy at once (loopback), so the proxy models the handshake's round trip
itself: nothing the client sends is forwarded before 2 * delay_ms after
the connection was accepted, i.e. the client's first flight reaches the
server when it would have had the SYN/SYN-ACK cost one RTT.  (The client
cannot do anything useful before it is connected, so holding its first
bytes is equivalent to delaying its connect.)  tc netem would be more
faithful but needs CAP_NET_ADMIN and would slow every loopback user.

    hole = BlackHole()       # hole.port: connects get no SYN-ACK
    hole.close()

BlackHole listens with backlog 0 and fills its accept queue with
connections it never accepts; Linux then drops further SYNs, so a client
sees what a server behind a packet-dropping firewall looks like: no
answer at all, until its own timeout.

Run directly for manual use:
    python3 tests/bench/latency-proxy.py TARGET_PORT [--delay MS] [--log]
    python3 tests/bench/latency-proxy.py --drop
"""

import argparse
import asyncio
import socket
import sys
import threading
import time

LISTEN_HOST = "127.0.0.1"


class LatencyProxy:
    def __init__(self, target_port, delay_ms=50.0, log=False, model_connect=True):
        self.target_port = target_port
        self.delay = delay_ms / 1000.0
        self.log = log
        self.model_connect = model_connect
        self.port = None
        self._loop = None
        self._server = None
        self._thread = None
        self._conns = []
        self._accepts = []
        self._lock = threading.Lock()
        self._ready = threading.Event()

    # -- public --------------------------------------------------------

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("latency proxy did not start")
        return self

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def set_delay(self, delay_ms):
        self.delay = delay_ms / 1000.0

    def accepts(self):
        """When each connection was accepted, in time.monotonic() seconds
        (the clock of asyncio's loop.time())."""
        with self._lock:
            return list(self._accepts)

    def connections(self):
        """A copy of every connection's events so far: a list (one per
        connection, in accept order) of (seconds since accept, direction,
        bytes), direction "c>s" or "s>c", stamped when the proxy read the
        chunk (i.e. when the sender sent it, loopback being instant)."""
        with self._lock:
            return [list(c) for c in self._conns]

    def reset(self):
        with self._lock:
            self._conns = []
            self._accepts = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- the loop ------------------------------------------------------

    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, LISTEN_HOST, 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._loop.close()

    async def _handle(self, c_reader, c_writer):
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        delay = self.delay
        events = []
        with self._lock:
            self._conns.append(events)
            self._accepts.append(t0)
            n = len(self._conns)
        try:
            s_reader, s_writer = await asyncio.open_connection(LISTEN_HOST, self.target_port)
        except OSError as e:
            print("proxy: cannot reach port %d: %s" % (self.target_port, e), file=sys.stderr)
            c_writer.close()
            return
        for w in (c_writer, s_writer):
            sock = w.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        hold = t0 + 2 * delay if self.model_connect else t0
        try:
            await asyncio.gather(
                self._pump(c_reader, s_writer, "c>s", t0, hold, delay, events, n),
                self._pump(s_reader, c_writer, "s>c", t0, t0, delay, events, n))
        except (asyncio.CancelledError, ConnectionError, OSError):
            pass                # stopped, or a side went away
        finally:
            for w in (c_writer, s_writer):
                w.close()

    async def _pump(self, reader, writer, direction, t0, hold, delay, events, n):
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def read():
            while True:
                try:
                    data = await reader.read(65536)
                except (ConnectionError, OSError):
                    data = b""
                now = loop.time()
                if data:
                    with self._lock:
                        events.append((now - t0, direction, len(data)))
                    if self.log:
                        print("proxy #%d %8.1f ms %s %d bytes" % (n, (now - t0) * 1000, direction,
                                                               len(data)), file=sys.stderr)
                await queue.put((max(now, hold) + delay, data))
                if not data:
                    return

        async def write():
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    if not data:
                        if writer.can_write_eof():
                            writer.write_eof()
                        return
                    writer.write(data)
                    await writer.drain()
                except (ConnectionError, OSError):
                    return

        await asyncio.gather(read(), write())


class BlackHole:
    """A port on 127.0.0.1 where connection attempts get no answer."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((LISTEN_HOST, 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(16):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(0.3)
            try:
                s.connect((LISTEN_HOST, self.port))
            except (socket.timeout, TimeoutError):
                s.close()        # this SYN was dropped: the queue is full
                break
            self.fillers.append(s)
        else:
            raise RuntimeError("could not fill the accept queue of port %d" % self.port)

    def check(self, timeout=0.3):
        """True if a connect to the port now goes unanswered."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((LISTEN_HOST, self.port))
            return False
        except (socket.timeout, TimeoutError):
            return True
        finally:
            s.close()

    def close(self):
        for s in self.fillers:
            s.close()
        self.listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("target", nargs="?", type=int, help="port on 127.0.0.1 to forward to")
    ap.add_argument("--delay", type=float, default=50.0, help="ms each way (default 50)")
    ap.add_argument("--log", action="store_true", help="print every chunk with its time")
    ap.add_argument("--drop", action="store_true", help="be a black hole instead")
    args = ap.parse_args()
    if args.drop:
        hole = BlackHole()
        print("black hole on %s:%d (%d connections queued, never accepted)"
              % (LISTEN_HOST, hole.port, len(hole.fillers)), flush=True)
    else:
        if args.target is None:
            ap.error("a target port is needed (or --drop)")
        proxy = LatencyProxy(args.target, args.delay, log=args.log).start()
        print("%s:%d -> %s:%d, %g ms each way" % (LISTEN_HOST, proxy.port, LISTEN_HOST,
                                                  args.target, args.delay), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
