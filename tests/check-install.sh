#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a scratch folder and checks that the files the
# desktop needs are there, named after the application ID, and valid.
set -eu
build=$1
app_id=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null

prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
root="$dest$prefix"
fail=0
for f in \
  "bin/mail-setup" \
  "share/applications/$app_id.desktop" \
  "share/metainfo/$app_id.metainfo.xml" \
  "share/dbus-1/services/$app_id.service" \
  "share/icons/hicolor/scalable/apps/$app_id.svg" \
  "share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" \
  "share/locale/zh_CN/LC_MESSAGES/mail-setup.mo"
do
  if [ -e "$root/$f" ]; then echo "ok: $f"; else echo "missing: $f"; fail=1; fi
done

grep -qx "Name=$app_id" "$root/share/dbus-1/services/$app_id.service" || { echo "service Name= is not $app_id"; fail=1; }
grep -q "^Exec=$prefix/bin/mail-setup --gapplication-service" "$root/share/dbus-1/services/$app_id.service" || { echo "service Exec= is wrong"; fail=1; }
grep -qx "DBusActivatable=true" "$root/share/applications/$app_id.desktop" || { echo "desktop file is not DBusActivatable"; fail=1; }
grep -q "^Name\[zh_CN\]=" "$root/share/applications/$app_id.desktop" || { echo "desktop file has no zh_CN name"; fail=1; }
desktop-file-validate "$root/share/applications/$app_id.desktop" || fail=1
for svg in "$root/share/icons/hicolor/scalable/apps/$app_id.svg" "$root/share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"; do
  python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$svg" || { echo "not XML: $svg"; fail=1; }
done
exit $fail
