"""Sets Status and Notes of catalogue rows: python3 spec/tools/set_status.py STATUS_FILE.

STATUS_FILE has one line per row: `ID<TAB>status<TAB>notes`. Rows it does not name keep their
values. Cells never contain `|`.
"""
import re
import sys

updates = {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.strip() and not line.startswith("#"):
        ident, status, *notes = line.split("\t")
        updates[ident] = (status, notes[0] if notes else "")

path = "spec/requirements.md"
out = []
for line in open(path, encoding="utf-8"):
    m = re.match(r"^\| ([A-Z]+-\d+) \|", line)
    if m and m.group(1) in updates:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        cells[3], cells[4] = updates.pop(m.group(1))
        line = "| " + " | ".join(cells) + " |\n"
    out.append(line)
if updates:
    sys.exit(f"unknown IDs: {sorted(updates)}")
open(path, "w", encoding="utf-8").write("".join(out))
