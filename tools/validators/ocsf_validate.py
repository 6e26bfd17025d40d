"""Validates iamsight's `--format ocsf` output with py-ocsf-models.

Usage: python ocsf_validate.py EVENTS.json

EVENTS.json is a JSON array of OCSF events. Each must build py-ocsf-models' DetectionFinding
with no validation error, be a Detection Finding by its class and type ids, and survive a round
trip through the model unchanged: pydantic ignores attributes a model does not define, so an
attribute that is dropped on the way is one the OCSF model does not know (a misspelt or
misplaced field). `unmapped`, the OCSF place for source-specific data, is the one free-form
object. Prints one line per problem and exits 1 if there is any; prints a count and exits 0
otherwise.
"""

import json
import sys

from pydantic import ValidationError
from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.detection_finding import DetectionFinding


def diff(path, want, got, out):
    """Lists where `got` (the model's dump) differs from `want` (our JSON)."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want:
            if k not in got:
                out.append(f"{path}.{k}: not in the OCSF model (dropped)")
            else:
                diff(f"{path}.{k}", want[k], got[k], out)
    elif isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got)):
            diff(f"{path}[{i}]", w, g, out)
    elif want != got or type(want) is not type(got):
        out.append(f"{path}: {want!r} became {got!r}")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        events = json.load(f)
    if not isinstance(events, list):
        print("the document is not a JSON array of events")
        return 1
    problems = []
    for i, event in enumerate(events):
        where = f"events[{i}]"
        try:
            model = DetectionFinding.model_validate(event)
        except ValidationError as e:
            for err in e.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(f"{where}.{loc}: {err['msg']}")
            continue
        dumped = model.model_dump(mode="json", exclude_unset=True)
        diff(where, event, dumped, problems)
        if event.get("class_uid") != 2004 or event.get("category_uid") != 2:
            problems.append(f"{where}: not a Detection Finding (class_uid 2004, category_uid 2)")
        if event.get("type_uid") != 2004 * 100 + event.get("activity_id", -1):
            problems.append(f"{where}: type_uid is not class_uid * 100 + activity_id")
        if event.get("metadata", {}).get("version") != OCSF_VERSION:
            problems.append(
                f"{where}.metadata.version: {event.get('metadata', {}).get('version')!r}, "
                f"py-ocsf-models implements {OCSF_VERSION}"
            )
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"{len(events)} OCSF Detection Finding events valid (OCSF {OCSF_VERSION}, py-ocsf-models)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
