#!/usr/bin/env python3
"""The hottest frames of a JFR recording's CPU samples, or the callees of one frame.

    bench/profiling/jfr-top.py cpu.jfr                 # top frames, self and inclusive
    bench/profiling/jfr-top.py cpu.jfr FRAME           # where FRAME's samples go, one level down
    bench/profiling/jfr-top.py alloc.jfr               # the same for a recording made with alloc.jfc

FRAME is a fully qualified method, e.g. dev.wecompipeline.ingress.CallbackHandler.receive.
A recording with allocation samples (alloc.jfc) is weighed by the bytes each sample stands for,
and its top classes are listed too. Percentages are of the total. Needs the JDK's `jfr` on the PATH.
"""
import collections
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+([\w.$<>/]+)\(.*?line:", re.M)


WEIGHT = re.compile(r"weight = ([\d.]+) (bytes|kB|MB|GB)")
CLASS = re.compile(r"objectClass = ([\w.$\[\]]+)")
UNITS = {"bytes": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


def samples(recording):
    """(frames innermost first, weight, allocated class or None): CPU samples if any, else allocation samples."""
    for event, weighed in (("jdk.ExecutionSample", False), ("jdk.ObjectAllocationSample", True)):
        text = subprocess.run(["jfr", "print", "--stack-depth", "256", "--events", event, recording],
                              check=True, capture_output=True, text=True).stdout
        found = False
        for chunk in text.split(event)[1:]:
            frames = FRAME.findall(chunk)
            if not frames:
                continue
            found = True
            if weighed:
                w, c = WEIGHT.search(chunk), CLASS.search(chunk)
                yield frames, float(w.group(1)) * UNITS[w.group(2)] if w else 0.0, c.group(1) if c else "?"
            else:
                yield frames, 1.0, None
        if found:
            return


def main():
    stacks = list(samples(sys.argv[1]))
    total = sum(w for _, w, _ in stacks) or 1.0
    if len(sys.argv) > 2:
        target, callees = sys.argv[2], collections.Counter()
        for frames, w, _ in stacks:
            if target in frames:
                i = frames.index(target)
                callees[frames[i - 1] if i > 0 else "<self>"] += w
        print(f"{target}: {sum(callees.values()) * 100 / total:.1f} % of {len(stacks)} samples")
        for frame, n in callees.most_common(25):
            print(f"  {n * 100 / total:5.1f} %  {frame}")
        return
    own, inclusive, classes = collections.Counter(), collections.Counter(), collections.Counter()
    for frames, w, cls in stacks:
        own[frames[0]] += w
        if cls:
            classes[cls] += w
        for frame in set(frames):
            inclusive[frame] += w
    print(f"{len(stacks)} samples" + (f", {total / 1e6:.0f} MB allocated" if classes else ""))
    if classes:
        print("-- classes")
        for cls, n in classes.most_common(10):
            print(f"{n * 100 / total:5.1f} %  {cls}")
    print("-- self")
    for frame, n in own.most_common(30):
        print(f"{n * 100 / total:5.1f} %  {frame}")
    print("-- inclusive")
    for frame, n in inclusive.most_common(60):
        print(f"{n * 100 / total:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
