#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a Flatpak manifest: it parses as JSON and every source is pinned.

usage: check-flatpak-manifest.py MANIFEST.json

Pinned means: archive and file sources fetched from a URL carry a sha256 (or
sha512); git sources carry a full 40-character commit (a tag alone can move);
dir, patch, file, script and shell sources that live beside the manifest are
fine. Modules and sources given as paths to other JSON files are followed.
"""

import json
import os
import re
import sys

COMMIT_RE = re.compile(r'^[0-9a-f]{40}$')
SHA256_RE = re.compile(r'^[0-9a-f]{64}$')
SHA512_RE = re.compile(r'^[0-9a-f]{128}$')

LOCAL_TYPES = {'dir', 'patch', 'file', 'script', 'shell', 'inline', 'extra-data'}


def load_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def check_source(source, where, base_dir, errors):
    if isinstance(source, str):
        path = os.path.join(base_dir, source)
        try:
            data = load_json(path)
        except (OSError, ValueError) as e:
            errors.append(f'{where}: cannot read source file {source}: {e}')
            return
        for i, s in enumerate(data if isinstance(data, list) else [data]):
            check_source(s, f'{where} ({source}[{i}])', os.path.dirname(path), errors)
        return

    if not isinstance(source, dict):
        errors.append(f'{where}: a source must be an object or a path')
        return

    kind = source.get('type')
    if kind in ('archive', 'file') and 'url' in source:
        sha256 = source.get('sha256', '')
        sha512 = source.get('sha512', '')
        if not (SHA256_RE.match(sha256) or SHA512_RE.match(sha512)):
            errors.append(f'{where}: {kind} {source["url"]} has no valid sha256')
    elif kind in ('archive', 'file'):
        if 'path' not in source:
            errors.append(f'{where}: {kind} source has neither url nor path')
    elif kind == 'git':
        commit = source.get('commit', '')
        if not COMMIT_RE.match(commit):
            errors.append(f'{where}: git {source.get("url", source.get("path", "?"))} '
                          'is not pinned to a full commit')
        if 'branch' in source:
            errors.append(f'{where}: git source uses a branch, pin a tag and commit')
    elif kind == 'extra-data':
        if not SHA256_RE.match(source.get('sha256', '')):
            errors.append(f'{where}: extra-data has no valid sha256')
    elif kind in LOCAL_TYPES:
        pass
    else:
        errors.append(f'{where}: unknown or unpinnable source type {kind!r}')


def check_module(module, where, base_dir, errors, count):
    if isinstance(module, str):
        path = os.path.join(base_dir, module)
        try:
            module = load_json(path)
        except (OSError, ValueError) as e:
            errors.append(f'{where}: cannot read module file: {e}')
            return
        base_dir = os.path.dirname(path)

    if not isinstance(module, dict) or 'name' not in module:
        errors.append(f'{where}: a module must be an object with a name')
        return

    where = f'{where}/{module["name"]}' if where else module['name']
    count[0] += 1
    sources = module.get('sources', [])
    if not sources:
        errors.append(f'{where}: module has no sources')
    for i, source in enumerate(sources):
        check_source(source, f'{where} source {i}', base_dir, errors)
    for sub in module.get('modules', []):
        check_module(sub, where, base_dir, errors, count)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2

    manifest_path = argv[1]
    try:
        manifest = load_json(manifest_path)
    except (OSError, ValueError) as e:
        print(f'FAIL: {manifest_path}: {e}', file=sys.stderr)
        return 1

    errors = []
    for key in ('id', 'runtime', 'runtime-version', 'sdk', 'command', 'modules'):
        if key not in manifest and not (key == 'id' and 'app-id' in manifest):
            errors.append(f'manifest has no {key!r}')

    count = [0]
    base_dir = os.path.dirname(os.path.abspath(manifest_path))
    for module in manifest.get('modules', []):
        check_module(module, '', base_dir, errors, count)

    for error in errors:
        print(f'FAIL: {error}', file=sys.stderr)
    if errors:
        return 1
    print(f'ok: {count[0]} modules, every source pinned')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
