"""Reads ordo-one/benchmark's text output and prints Switchboard-vs-reference ratios.

For every benchmark named "Switchboard X" with a partner "libical X", it prints the
median wall-clock time of both, the speed-up (reference / ours), and the peak resident
memory of both.
"""
import re
import sys

results = {}
current = None
for line in sys.stdin:
    stripped = line.strip()
    if stripped and not stripped[0] in "╒╞├╘│═─" and "│" not in stripped:
        current = stripped
        continue
    if current is None or "│" not in stripped:
        continue
    cells = [cell.strip() for cell in stripped.strip("│").split("│")]
    if len(cells) < 4:
        continue
    metric, p50 = cells[0], cells[3]
    try:
        value = float(p50)
    except ValueError:
        continue
    entry = results.setdefault(current, {})
    if metric.startswith("Time (wall clock)"):
        unit = re.search(r"\((\w+)\) \*?$", metric)
        entry["wall"] = value
        entry["wall_unit"] = unit.group(1) if unit else ""
    elif metric.startswith("Memory (resident peak)"):
        entry["memory"] = value

print()
print(f"{'benchmark':45} {'ours p50':>10} {'ref p50':>10} {'speed-up':>9} {'ours peak':>10} {'ref peak':>9}")
for name, ours in sorted(results.items()):
    if not name.startswith("Switchboard "):
        continue
    task = name[len("Switchboard "):]
    reference = results.get("libical " + task)
    if not reference or "wall" not in ours or "wall" not in reference:
        continue
    ratio = reference["wall"] / ours["wall"] if ours["wall"] else float("inf")
    print(
        f"{task:45} {ours['wall']:>8.0f}{ours['wall_unit']:>2} {reference['wall']:>8.0f}{reference['wall_unit']:>2}"
        f" {ratio:>8.2f}x {ours.get('memory', 0):>8.0f}M {reference.get('memory', 0):>8.0f}M"
    )
