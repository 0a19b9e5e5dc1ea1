#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Start-up benchmark: exec -> first frame, and peak RSS, of mail-setup
# against a bare libadwaita window (bare-window.c), in the same run.
#
#   bench-startup.py BARE_WINDOW MAIL_SETUP [--runs N] [--bus none|session|both]
#
# Run it under a display: the benchmark in tests/bench/meson.build runs it
# under xvfb-run, with GDK_BACKEND=x11 and GSK_RENDERER=cairo.
#
# Both programs print "first-frame <g_get_monotonic_time () in µs>" to
# standard error at the first "after-paint" of their first window and quit
# (mail-setup with MAIL_SETUP_EXIT_AFTER_FIRST_FRAME=1, its benchmark hook).
# The time taken is from CLOCK_MONOTONIC read just before the fork+exec
# (time.monotonic_ns(), the clock of g_get_monotonic_time ()), to that
# frame. Peak RSS is each child's ru_maxrss from os.wait4(). The programs
# run alternately, N times each after one unmeasured warm-up run of each,
# with private HOME and XDG directories; medians are reported.
#
# --bus none: no session bus (DBUS_SESSION_BUS_ADDRESS points nowhere), so
#   GApplication runs non-unique, and libadwaita finds no settings portal.
# --bus session: a private dbus-daemon for the whole run (the system's
#   session configuration, so its activatable services are there).
# A missed target is printed as "TARGET MISSED"; the exit status is 0 when
# every run reached its first frame.

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_RATIO = 1.2


def run_once(argv, env, timeout=60):
    """One start: (milliseconds from exec to first frame, peak RSS in KiB)."""
    t0 = time.monotonic_ns()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        err = proc.stderr.read()
    finally:
        proc.stderr.close()
    _, status, rusage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = err.decode('utf-8', 'replace')
    frame = None
    for line in text.splitlines():
        if line.startswith('first-frame '):
            frame = int(line.split()[1])
    if frame is None or proc.returncode != 0:
        sys.stderr.write(text)
        raise RuntimeError(f'{argv[0]}: no first frame (exit status {proc.returncode})')
    return (frame * 1000 - t0) / 1e6, rusage.ru_maxrss


def start_bus(env):
    proc = subprocess.Popen(['dbus-daemon', '--session', '--nofork', '--print-address=1'],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    address = proc.stdout.readline().decode().strip()
    if not address:
        raise RuntimeError('dbus-daemon gave no address')
    return proc, address


def base_env(home):
    env = dict(os.environ)
    for name in ('G_MESSAGES_DEBUG', 'DBUS_SESSION_BUS_ADDRESS', 'DBUS_STARTER_ADDRESS',
                 'DBUS_STARTER_BUS_TYPE', 'XDG_RUNTIME_DIR'):
        env.pop(name, None)
    env.update({
        'GDK_BACKEND': 'x11',
        'GSK_RENDERER': 'cairo',
        'GSETTINGS_BACKEND': 'memory',
        'NO_AT_BRIDGE': '1',
        'GTK_A11Y': 'none',
        'LIBGL_ALWAYS_SOFTWARE': '1',
        'HOME': home,
        'XDG_CACHE_HOME': os.path.join(home, 'cache'),
        'XDG_DATA_HOME': os.path.join(home, 'data'),
        'XDG_CONFIG_HOME': os.path.join(home, 'config'),
        'XDG_STATE_HOME': os.path.join(home, 'state'),
        'MAIL_SETUP_EXIT_AFTER_FIRST_FRAME': '1',
    })
    for name in ('cache', 'data', 'config', 'state'):
        os.makedirs(os.path.join(home, name), exist_ok=True)
    return env


def measure(programs, env, runs):
    results = {name: ([], []) for name, _ in programs}
    for name, argv in programs:          # warm-up: page cache, fontconfig cache
        run_once(argv, env)
    for _ in range(runs):
        for name, argv in programs:
            ms, rss = run_once(argv, env)
            results[name][0].append(ms)
            results[name][1].append(rss)
    return results


def report(title, results, runs):
    bare_t, bare_r = results['bare-window']
    app_t, app_r = results['mail-setup']
    print(f'\n## {title} ({runs} runs each, alternating; medians)\n')
    print('| program | first frame (ms) median | min | max | peak RSS (MiB) median |')
    print('|---|---|---|---|---|')
    for name in ('bare-window', 'mail-setup'):
        t, r = results[name]
        print(f'| {name} | {statistics.median(t):.1f} | {min(t):.1f} | {max(t):.1f} '
              f'| {statistics.median(r) / 1024:.1f} |')
    t_ratio = statistics.median(app_t) / statistics.median(bare_t)
    r_ratio = statistics.median(app_r) / statistics.median(bare_r)
    print()
    print('| figure | value | target | verdict |')
    print('|---|---|---|---|')
    ok = True
    for label, ratio in (('time ratio mail-setup / bare', t_ratio),
                         ('RSS ratio mail-setup / bare', r_ratio)):
        verdict = 'PASS' if ratio <= TARGET_RATIO else 'TARGET MISSED'
        ok = ok and ratio <= TARGET_RATIO
        print(f'| {label} | {ratio:.2f}x | <= {TARGET_RATIO}x | {verdict} |')
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('bare_window')
    parser.add_argument('mail_setup')
    parser.add_argument('--runs', type=int, default=int(os.environ.get('BENCH_RUNS', '10')))
    parser.add_argument('--bus', choices=('none', 'session', 'both'),
                        default=os.environ.get('BENCH_BUS', 'both'))
    args = parser.parse_args()

    programs = [('bare-window', [os.path.abspath(args.bare_window)]),
                ('mail-setup', [os.path.abspath(args.mail_setup)])]
    modes = ['none', 'session'] if args.bus == 'both' else [args.bus]
    print(f'# Start-up: exec -> first frame, peak RSS\n')
    print(f'display {os.environ.get("DISPLAY")}, GDK_BACKEND=x11, GSK_RENDERER=cairo, '
          f'{os.cpu_count()} CPUs')

    all_ok = True
    with tempfile.TemporaryDirectory(prefix='bench-startup-') as home:
        env = base_env(home)
        for mode in modes:
            bus = None
            run_env = dict(env)
            if mode == 'none':
                run_env['DBUS_SESSION_BUS_ADDRESS'] = 'unix:path=' + os.path.join(home, 'no-bus')
                title = 'No session bus (GApplication non-unique)'
            else:
                bus, address = start_bus(env)
                run_env['DBUS_SESSION_BUS_ADDRESS'] = address
                title = 'Private session bus (dbus-daemon --session)'
            try:
                results = measure(programs, run_env, args.runs)
            finally:
                if bus is not None:
                    bus.send_signal(signal.SIGTERM)
                    bus.wait()
            all_ok = report(title, results, args.runs) and all_ok
            # Nothing of one mode's files for the next.
            for name in ('cache', 'data', 'config', 'state'):
                shutil.rmtree(os.path.join(home, name), ignore_errors=True)
                os.makedirs(os.path.join(home, name))

    print()
    print('start-up: all targets met' if all_ok else 'start-up: TARGET MISSED')
    return 0


if __name__ == '__main__':
    sys.exit(main())
