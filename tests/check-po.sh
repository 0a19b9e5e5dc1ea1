#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails unless every translation in po/ covers every string the sources have
# now: extracts a fresh template, merges each .po with it, and counts.
set -eu
top=$1
its=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$top"
GETTEXTDATADIRS=$its xgettext --files-from=po/POTFILES.in --directory="$top" \
  --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --add-comments=Translators --output="$tmp/mail-setup.pot" 2>"$tmp/xgettext.log" || {
  cat "$tmp/xgettext.log"; exit 1; }

# Every file with translatable text must be listed in POTFILES.in.
missing=$(grep -rlE '(_|N_)\(\s*"|translatable="yes"' src data/ui 2>/dev/null | sort | while read -r f; do
  grep -qx "$f" po/POTFILES.in || echo "$f"
done)
for f in providers/*.xml; do
  grep -qx "$f" po/POTFILES.in || missing="$missing $f"
done
if [ -n "$missing" ]; then
  echo "not in po/POTFILES.in: $missing"
  exit 1
fi

status=0
for lang in $(grep -v '^#' po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/mail-setup.pot" -o "$tmp/$lang.po"
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  echo "$lang: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) status=1 ;;
  esac
  # Show what is missing, to make fixing it quick.
  [ $status = 0 ] || msgattrib --untranslated --only-fuzzy "$tmp/$lang.po" 2>/dev/null | head -40
  [ $status = 0 ] || msgattrib --untranslated "$tmp/$lang.po" | grep '^msgid' | head -40
done
exit $status
