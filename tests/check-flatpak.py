#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest against the build, statically.

Usage: check-flatpak.py SOURCE_DIR BUILD_DIR APP_ID

No Flatpak tooling is needed. The manifest must name the app ID, the GNOME
runtime and SDK, a command the build installs, and exactly the reviewed
finish-args (README.md, "Flatpak"). The build is installed into a scratch
folder, and every file Flatpak would export from it must be named after the
app ID: Flatpak leaves out, without a word, any that is not. The D-Bus
service file and the metainfo must name the app ID too.

Each violation is printed on a line of its own starting with "FAIL:"; the
exit status is 1 if there was any.
"""

import configparser
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# The sandbox the app gets, and nothing more. Each one is justified in
# README.md; a change here must change the README's table too.
EXPECTED_FINISH_ARGS = {
    '--share=network',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--share=ipc',
    '--device=dri',
    '--talk-name=org.freedesktop.secrets',
    '--talk-name=org.gnome.OnlineAccounts',
}
RUNTIME = 'org.gnome.Platform'
SDK = 'org.gnome.Sdk'

# What Flatpak exports from /app/share, and the name endings each may have.
EXPORTED_DIRS = {
    'applications': ('.desktop',),
    'metainfo': ('.metainfo.xml',),
    'icons': ('.svg', '.png'),
    'dbus-1/services': ('.service',),
}
# Caches the desktop's tools write next to exported files; never exported.
NOT_EXPORTED = {'icon-theme.cache', 'index.theme', 'mimeinfo.cache'}

XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'
SCREENSHOT_URL = re.compile(
    r'^https://raw\.githubusercontent\.com/[^/]+/[^/]+/(?P<ref>[^/]+)/(?P<path>.+)$')

failures = []


def fail(message):
    failures.append(message)
    print('FAIL: ' + message)


def ok(message):
    print('ok: ' + message)


def introspect(build, what):
    out = subprocess.run(['meson', 'introspect', build, what],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def build_options(build):
    return {o['name']: o['value'] for o in introspect(build, '--buildoptions')}


def check_manifest(source, release_id, installed_paths, bindir):
    path = os.path.join(source, 'flatpak', release_id + '.json')
    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        fail(f'cannot read the manifest {path}: {e}')
        return None

    manifest_id = manifest.get('id', manifest.get('app-id'))
    if manifest_id != release_id:
        fail(f'manifest id is {manifest_id!r}, not the app ID {release_id!r}')
    else:
        ok(f'manifest id is {release_id}')

    if manifest.get('runtime') != RUNTIME:
        fail(f'runtime is {manifest.get("runtime")!r}, not {RUNTIME!r}')
    if manifest.get('sdk') != SDK:
        fail(f'sdk is {manifest.get("sdk")!r}, not {SDK!r}')
    version = manifest.get('runtime-version')
    if not isinstance(version, str) or not re.fullmatch(r'\d+', version):
        fail(f'runtime-version {version!r} is not a GNOME release such as "51" '
             '(a string; "master" or a nightly is not for Flathub)')
    if manifest.get('runtime') == RUNTIME and manifest.get('sdk') == SDK:
        ok(f'runtime {RUNTIME}//{version}, sdk {SDK}')

    command = manifest.get('command')
    if not command:
        fail('manifest has no command')
    elif '/' in command:
        fail(f'command {command!r} must be a name in bin/, not a path')
    elif os.path.join(bindir, command) not in installed_paths:
        fail(f'command {command!r} is not a program this build installs in {bindir}')
    else:
        ok(f'command {command} is installed as {os.path.join(bindir, command)}')

    args = manifest.get('finish-args', [])
    seen = set()
    for arg in args:
        if arg in seen:
            fail(f'finish-arg {arg} is listed twice')
        seen.add(arg)
    for arg in sorted(seen - EXPECTED_FINISH_ARGS):
        fail(f'finish-arg {arg} is not one of the reviewed permissions '
             '(see README.md, "Flatpak"); remove it or justify it there and here')
    for arg in sorted(EXPECTED_FINISH_ARGS - seen):
        fail(f'finish-arg {arg} is missing')
    if seen == EXPECTED_FINISH_ARGS and len(args) == len(seen):
        ok('finish-args are exactly the reviewed ones')

    # The app itself comes from this repository, built as a release: a
    # development build would be installed under another ID.
    modules = manifest.get('modules') or []
    app_module = modules[-1] if modules else None
    if not isinstance(app_module, dict):
        fail('the last module is not the app (it must be an object, built from this repository)')
    else:
        if app_module.get('buildsystem') != 'meson':
            fail(f'the app module builds with {app_module.get("buildsystem")!r}, not meson')
        sources = app_module.get('sources', [])
        from_here = False
        for s in sources:
            if s.get('type') == 'dir' and os.path.realpath(
                    os.path.join(os.path.dirname(path), s.get('path', ''))) == os.path.realpath(source):
                from_here = True
            elif s.get('type') == 'git' and s.get('url', '').startswith('https://') and \
                    (s.get('tag') or s.get('commit')):
                from_here = True
        if not from_here:
            fail('the app module is not built from this repository '
                 '(a "dir" source pointing at it, or a "git" source with a tag or commit)')
        for opt in app_module.get('config-opts', []):
            if re.fullmatch(r'-Ddevelopment=(true|enabled|1)', opt):
                fail(f'config-opts has {opt}: that build installs under {release_id}.Devel')
    return command


def exported_name_ok(name, app_id, endings, symbolic_allowed):
    stems = [app_id] + ([app_id + '-symbolic'] if symbolic_allowed else [])
    return any(name == stem + ending for stem in stems for ending in endings)


def check_exports(share, app_id):
    if os.path.isdir(os.path.join(share, 'appdata')):
        fail('share/appdata is the legacy metainfo folder; install to share/metainfo')
    found = {d: [] for d in EXPORTED_DIRS}
    for d, endings in EXPORTED_DIRS.items():
        top = os.path.join(share, d)
        for dirpath, _dirs, files in os.walk(top):
            for name in sorted(files):
                rel = os.path.relpath(os.path.join(dirpath, name), os.path.dirname(share))
                if name in NOT_EXPORTED:
                    continue
                found[d].append(os.path.join(dirpath, name))
                if exported_name_ok(name, app_id, endings, symbolic_allowed=(d == 'icons')):
                    ok(f'{rel} is named after the app ID')
                else:
                    allowed = ', '.join(app_id + e for e in endings)
                    if d == 'icons':
                        allowed += ', ' + ', '.join(app_id + '-symbolic' + e for e in endings)
                    fail(f'{rel} is not named after the app ID (Flatpak would not export it); '
                         f'allowed here: {allowed}')
    for d in ('applications', 'metainfo', 'dbus-1/services', 'icons'):
        if not found[d]:
            fail(f'the build installs nothing in share/{d}')
    return found


def check_service(share, app_id, bindir, command):
    path = os.path.join(share, 'dbus-1', 'services', app_id + '.service')
    if not os.path.exists(path):
        fail(f'share/dbus-1/services/{app_id}.service is not installed: '
             'D-Bus activation would not find the app')
        return
    keyfile = configparser.ConfigParser(interpolation=None)
    keyfile.optionxform = str
    try:
        keyfile.read(path, encoding='utf-8')
        group = keyfile['D-BUS Service']
    except (configparser.Error, KeyError) as e:
        fail(f'{path} has no [D-BUS Service] group: {e}')
        return
    name = group.get('Name')
    if name != app_id:
        fail(f'the service file says Name={name}, not the app ID {app_id}: '
             'Flatpak exports it only if the two match')
    else:
        ok(f'the service file has Name={app_id}')
    exec_line = group.get('Exec', '').split()
    if not exec_line:
        fail('the service file has no Exec=')
    elif command and exec_line[0] != os.path.join(bindir, command):
        fail(f'the service file starts {exec_line[0]}, not the manifest\'s command '
             f'{os.path.join(bindir, command)}')


def check_desktop(share, app_id):
    path = os.path.join(share, 'applications', app_id + '.desktop')
    if not os.path.exists(path):
        fail(f'share/applications/{app_id}.desktop is not installed')
        return
    keyfile = configparser.ConfigParser(interpolation=None, strict=False)
    keyfile.optionxform = str
    keyfile.read(path, encoding='utf-8')
    entry = keyfile['Desktop Entry'] if keyfile.has_section('Desktop Entry') else {}
    if entry.get('Icon') != app_id:
        fail(f'the desktop file says Icon={entry.get("Icon")}, not {app_id}')
    if entry.get('DBusActivatable') == 'true':
        ok('the desktop file is D-Bus activatable, through the service file above')


def check_metainfo(share, source, app_id, command, project_version):
    path = os.path.join(share, 'metainfo', app_id + '.metainfo.xml')
    if not os.path.exists(path):
        fail(f'share/metainfo/{app_id}.metainfo.xml is not installed')
        return
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f'the metainfo is not XML: {e}')
        return

    cid = root.findtext('id')
    if cid != app_id:
        fail(f'the metainfo <id> is {cid!r}, not the app ID {app_id!r}')
    else:
        ok(f'the metainfo <id> is {app_id}')

    launchables = root.findall('launchable')
    desktop_ids = [l.text for l in launchables if l.get('type') == 'desktop-id']
    if desktop_ids != [app_id + '.desktop'] or len(launchables) != 1:
        fail(f'the metainfo must have one <launchable type="desktop-id">{app_id}.desktop'
             f'</launchable>, it has {[(l.get("type"), l.text) for l in launchables]}')
    else:
        ok(f'the metainfo launches {app_id}.desktop')

    provides = root.find('provides')
    dbus = [(d.get('type'), d.text) for d in provides.findall('dbus')] if provides is not None else []
    if dbus != [('user', app_id)]:
        fail(f'the metainfo must provide <dbus type="user">{app_id}</dbus> (the session '
             f'bus name other programs call), it provides {dbus}')
    else:
        ok(f'the metainfo provides the D-Bus name {app_id}')
    binaries = [b.text for b in provides.findall('binary')] if provides is not None else []
    if command and binaries != [command]:
        fail(f'the metainfo must provide <binary>{command}</binary>, it provides {binaries}')
    if provides is not None:
        for i in provides.findall('id'):
            if i.text == app_id:
                fail('the metainfo <provides> names its own <id>')

    developer = root.find('developer')
    if developer is None or not developer.get('id') or not (developer.findtext('name') or '').strip():
        fail('the metainfo needs <developer id="..."><name>...</name></developer>')

    rating = root.find('content_rating')
    if rating is None or rating.get('type') != 'oars-1.1':
        fail('the metainfo needs <content_rating type="oars-1.1">')

    # The version this build is must have its release entry, not in the future.
    releases = root.findall('releases/release')
    versions = [r.get('version') for r in releases]
    if project_version not in versions:
        fail(f'the metainfo has no <release version="{project_version}"> '
             f'(the project version in meson.build); it has {versions}')
    today = datetime.date.today()
    for r in releases:
        try:
            date = datetime.date.fromisoformat(r.get('date', ''))
        except ValueError:
            fail(f'release {r.get("version")} has no date in YYYY-MM-DD form')
            continue
        if date > today:
            fail(f'release {r.get("version")} is dated {date}, in the future')
        if r.find('description') is None:
            fail(f'release {r.get("version")} has no description')
    if releases and project_version in versions:
        ok(f'the metainfo describes release {project_version}')

    check_screenshots(root, source)


def check_screenshots(root, source):
    shots = root.findall('screenshots/screenshot')
    if not shots:
        fail('the metainfo has no screenshots')
        return
    if not any(s.get('type') == 'default' for s in shots):
        fail('no screenshot is type="default"')
    git_ok = shutil.which('git') and subprocess.run(
        ['git', '-C', source, 'rev-parse', '--is-shallow-repository'],
        capture_output=True, text=True).stdout.strip() == 'false'
    checked = 0
    failed_before = len(failures)
    for shot in shots:
        if not (shot.findtext('caption') or '').strip():
            fail('a screenshot has no caption')
        for image in shot.findall('image'):
            url = (image.text or '').strip()
            m = SCREENSHOT_URL.match(url)
            if not m:
                fail(f'screenshot {url} is not a raw.githubusercontent.com link into the repository')
                continue
            ref, rel = m.group('ref'), m.group('path')
            if not (re.fullmatch(r'[0-9a-f]{40}', ref) or re.fullmatch(r'v?\d+(\.\d+)*', ref)):
                fail(f'screenshot {rel} is linked from {ref!r}: Flathub wants a tag or a commit, '
                     'not a branch')
            local = os.path.join(source, rel)
            try:
                with open(local, 'rb') as f:
                    if f.read(8) != b'\x89PNG\r\n\x1a\n':
                        fail(f'{rel} is not a PNG')
            except OSError:
                fail(f'screenshot {rel} is not in the repository')
                continue
            # In a full clone the commit must have the file too (the link
            # would be dead otherwise); a shallow one may not have it.
            if git_ok and re.fullmatch(r'[0-9a-f]{40}', ref):
                if subprocess.run(['git', '-C', source, 'cat-file', '-e', f'{ref}:{rel}'],
                                  capture_output=True).returncode != 0:
                    fail(f'commit {ref} has no {rel}: the screenshot link is dead')
            checked += 1
    if len(failures) == failed_before:
        ok(f'{checked} screenshot images, each a PNG in the repository')


def main():
    if len(sys.argv) != 4:
        sys.exit(f'usage: {sys.argv[0]} SOURCE_DIR BUILD_DIR APP_ID')
    source, build, app_id = sys.argv[1:]
    # A development build installs under APP_ID.Devel; the manifest builds
    # the release.
    release_id = app_id[:-len('.Devel')] if app_id.endswith('.Devel') else app_id

    options = build_options(build)
    prefix = options['prefix']
    bindir = os.path.join(prefix, options['bindir'])
    datadir = os.path.join(prefix, options['datadir'])
    installed_paths = set(introspect(build, '--installed').values())
    project_version = introspect(build, '--projectinfo')['version']

    command = check_manifest(source, release_id, installed_paths, bindir)

    with tempfile.TemporaryDirectory() as dest:
        subprocess.run(['meson', 'install', '-C', build, '--destdir', dest,
                        '--no-rebuild', '--quiet'],
                       check=True, stdout=subprocess.DEVNULL)
        share = dest + datadir
        if command:
            program = dest + os.path.join(bindir, command)
            if not os.access(program, os.X_OK):
                fail(f'{os.path.join(bindir, command)} is not installed as a program')
        check_exports(share, app_id)
        check_service(share, app_id, bindir, command)
        check_desktop(share, app_id)
        check_metainfo(share, source, app_id, command, project_version)

    if failures:
        print(f'{len(failures)} problem(s) with the Flatpak packaging')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
