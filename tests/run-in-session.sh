#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tests/run-in-session.sh [--no-keyring] [--locked-keyring] [--no-goa] -- COMMAND [ARG…]
#
# Runs COMMAND in a private D-Bus session of its own, with a real
# gnome-keyring-daemon (Secret Service, login keyring unlocked with the
# password "test") and a real goa-daemon (GNOME Online Accounts) on it.
#
#   --no-keyring      no Secret Service on the bus at all
#   --locked-keyring  the login keyring exists but is locked (it is created
#                     unlocked, then locked through org.freedesktop.Secret.
#                     Service.Lock); nothing can show an unlock prompt
#   --no-goa          no org.gnome.OnlineAccounts on the bus
#
# Everything lives in a fresh temporary directory T (exported as
# MS_TEST_SESSION_TMP): HOME=T/home, XDG_DATA_HOME=T/data (keyrings),
# XDG_CONFIG_HOME=T/config (goa-1.0/accounts.conf), XDG_CACHE_HOME=T/cache,
# XDG_RUNTIME_DIR=T/run (mode 0700, also holds the bus socket).  The bus
# activates nothing but the keyring's prompters (which cannot show anything:
# DISPLAY and WAYLAND_DISPLAY are unset), so an absent daemon stays absent.
# Daemon logs go to T/*.log.  COMMAND's standard input, output and error are
# the script's own.
#
# At the end the daemons are stopped and T is removed; the exit status is
# COMMAND's (125 when the session could not be set up, 2 for usage errors).

set -u

usage () {
  echo "usage: $0 [--no-keyring] [--locked-keyring] [--no-goa] -- COMMAND [ARG…]" >&2
  exit 2
}

START_TIMEOUT=10        # seconds to wait for each daemon
STOP_TIMEOUT=5          # seconds between SIGTERM and SIGKILL

inner=0 keyring=1 locked=0 goa=1
while [ $# -gt 0 ]; do
  case "$1" in
    --inner) inner=1 ;;         # internal: we are inside dbus-run-session
    --no-keyring) keyring=0 ;;
    --locked-keyring) locked=1 ;;
    --no-goa) goa=0 ;;
    --) shift; break ;;
    *) usage ;;
  esac
  shift
done
[ $# -gt 0 ] || usage
if [ $keyring = 0 ] && [ $locked = 1 ]; then
  echo "$0: --no-keyring and --locked-keyring exclude each other" >&2
  exit 2
fi

# Stops a process we started (by its id): SIGTERM, SIGKILL after a while.
stop_pid () {
  local pid=$1 watchdog
  kill -TERM "$pid" 2>/dev/null || return 0
  ( sleep "$STOP_TIMEOUT"; kill -KILL "$pid" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
  watchdog=$!
  wait "$pid" 2>/dev/null
  kill -TERM "$watchdog" 2>/dev/null
  wait "$watchdog" 2>/dev/null
  return 0
}

# ---------------------------------------------------------------------------
# Outside the bus: make T, the environment and the bus configuration.
# ---------------------------------------------------------------------------
if [ $inner = 0 ]; then
  T=$(mktemp -d "${TMPDIR:-/tmp}/ms-session.XXXXXX") || exit 125
  session_pid=

  cleanup () {
    trap - EXIT INT TERM HUP
    if [ -n "$session_pid" ]; then
      # Interrupted: end what the inner part started (ids it recorded,
      # the bus daemon's included), then dbus-run-session itself.
      if [ -f "$T/pids" ]; then
        while read -r pid; do
          [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
        done < "$T/pids"
      fi
      kill -TERM "$session_pid" 2>/dev/null
      wait "$session_pid" 2>/dev/null
    fi
    rm -rf "$T"
  }
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP

  mkdir -p "$T/home" "$T/data" "$T/config" "$T/cache" "$T/run" "$T/services" || exit 125
  chmod 0700 "$T" "$T/run" || exit 125

  # Only the prompters are activatable: no keyring or goa-daemon may be
  # started behind the test's back (the standard service directories
  # would start both on the first call).
  for name in org.gnome.keyring.SystemPrompter org.gnome.keyring.PrivatePrompter; do
    for dir in /usr/share/dbus-1/services /usr/local/share/dbus-1/services; do
      if [ -f "$dir/$name.service" ]; then
        ln -s "$dir/$name.service" "$T/services/$name.service"
        break
      fi
    done
  done
  cat > "$T/session.conf" <<EOF || exit 125
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$T/run</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$T/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="service_start_timeout">20000</limit>
</busconfig>
EOF

  export HOME="$T/home"
  export XDG_DATA_HOME="$T/data"
  export XDG_CONFIG_HOME="$T/config"
  export XDG_CACHE_HOME="$T/cache"
  export XDG_RUNTIME_DIR="$T/run"
  export MS_TEST_SESSION_TMP="$T"
  # Nothing may try to show a window (an unlock prompt) anywhere.
  unset DISPLAY WAYLAND_DISPLAY
  # Nothing of an outer session may leak in.
  unset DBUS_SESSION_BUS_ADDRESS DBUS_STARTER_ADDRESS DBUS_STARTER_BUS_TYPE
  unset GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

  self=$(readlink -f "$0") || exit 125
  opts=(--inner)
  [ $keyring = 0 ] && opts+=(--no-keyring)
  [ $locked = 1 ] && opts+=(--locked-keyring)
  [ $goa = 0 ] && opts+=(--no-goa)

  # In the background (with standard input passed on explicitly) so that
  # a signal reaches the trap at once.
  exec 3<&0
  dbus-run-session --config-file="$T/session.conf" -- "$BASH" "$self" "${opts[@]}" -- "$@" 0<&3 3<&- &
  session_pid=$!
  exec 3<&-
  wait "$session_pid"
  status=$?
  session_pid=
  exit $status
fi

# ---------------------------------------------------------------------------
# Inside the bus.
# ---------------------------------------------------------------------------
T=${MS_TEST_SESSION_TMP:?}
: > "$T/pids"
keyring_pid= goa_pid= command_pid=

# Daemons and the tools that talk to them run without the test suite's
# G_DEBUG=fatal-warnings (a daemon's harmless warning must not abort it).
daemon_env=(env -u G_DEBUG -u G_MESSAGES_DEBUG)

dbus_call () {
  timeout 10 "${daemon_env[@]}" gdbus call --session --timeout=5 "$@" </dev/null 2>/dev/null
}

name_has_owner () {
  [ "$(dbus_call --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner "$1")" = "(true,)" ]
}

# Waits (bounded) until name is owned; fails early if pid has died.
wait_for_name () {
  local name=$1 pid=$2 deadline=$((SECONDS + START_TIMEOUT))
  while [ $SECONDS -le $deadline ]; do
    name_has_owner "$name" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

LOGIN=/org/freedesktop/secrets/collection/login

login_locked () {
  dbus_call --dest org.freedesktop.secrets --object-path "$LOGIN" \
    --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Locked
}

fail () {
  echo "$0: $*" >&2
  for log in "$T"/keyring.log "$T"/goa.log; do
    [ -s "$log" ] && { echo "--- $log" >&2; cat "$log" >&2; }
  done
  finish 125
}

finish () {
  trap - INT TERM HUP
  [ -n "$command_pid" ] && stop_pid "$command_pid"
  [ -n "$goa_pid" ] && stop_pid "$goa_pid"
  [ -n "$keyring_pid" ] && stop_pid "$keyring_pid"
  exit "$1"
}
trap 'finish 130' INT
trap 'finish 143' TERM
trap 'finish 129' HUP

# The bus daemon, for the outer part's cleanup after a signal.
bus_pid=$(dbus_call --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
            --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.DBus)
bus_pid=${bus_pid#(uint32 }
bus_pid=${bus_pid%,)}
case "$bus_pid" in ''|*[!0-9]*) ;; *) echo "$bus_pid" >> "$T/pids" ;; esac

if [ $keyring = 1 ]; then
  # --unlock reads the login keyring's password from standard input and
  # creates the keyring with it (an empty one fails without a display).
  printf '%s' test > "$T/keyring-password"
  "${daemon_env[@]}" gnome-keyring-daemon --foreground --unlock --components=secrets \
    < "$T/keyring-password" > "$T/keyring.log" 2>&1 &
  keyring_pid=$!
  echo "$keyring_pid" >> "$T/pids"
  wait_for_name org.freedesktop.secrets "$keyring_pid" \
    || fail "gnome-keyring-daemon did not start"
  # The login collection exists and is unlocked.
  deadline=$((SECONDS + START_TIMEOUT))
  until [ "$(login_locked)" = "(<false>,)" ]; do
    [ $SECONDS -le $deadline ] || fail "the login keyring was not created unlocked"
    sleep 0.1
  done
  rm -f "$T/keyring-password"

  if [ $locked = 1 ]; then
    dbus_call --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
      --method org.freedesktop.Secret.Service.Lock "[objectpath '$LOGIN']" >/dev/null \
      || fail "could not lock the login keyring"
    [ "$(login_locked)" = "(<true>,)" ] || fail "the login keyring is not locked"
  fi
fi

if [ $goa = 1 ]; then
  "${daemon_env[@]}" /usr/libexec/goa-daemon --replace </dev/null > "$T/goa.log" 2>&1 &
  goa_pid=$!
  echo "$goa_pid" >> "$T/pids"
  wait_for_name org.gnome.OnlineAccounts "$goa_pid" || fail "goa-daemon did not start"
fi

# COMMAND in the background (standard input passed on explicitly), so that
# a signal is handled at once.
exec 3<&0
"$@" 0<&3 3<&- &
command_pid=$!
exec 3<&-
echo "$command_pid" >> "$T/pids"
wait "$command_pid"
status=$?
command_pid=
finish $status
