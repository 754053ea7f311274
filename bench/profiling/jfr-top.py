#!/usr/bin/env python3
"""The hottest frames of a JFR recording's CPU samples, or the callees of one frame.

    bench/profiling/jfr-top.py cpu.jfr                 # top frames, self and inclusive
    bench/profiling/jfr-top.py cpu.jfr FRAME           # where FRAME's samples go, one level down

FRAME is a fully qualified method, e.g. dev.wecompipeline.ingress.CallbackHandler.receive.
Percentages are of all samples. Needs the JDK's `jfr` on the PATH.
"""
import collections
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+([\w.$<>/]+)\(.*?line:", re.M)


def samples(recording):
    text = subprocess.run(["jfr", "print", "--stack-depth", "256", "--events", "jdk.ExecutionSample", recording],
                          check=True, capture_output=True, text=True).stdout
    for event in text.split("jdk.ExecutionSample"):
        frames = FRAME.findall(event)  # innermost first
        if frames:
            yield frames


def main():
    stacks = list(samples(sys.argv[1]))
    total = len(stacks)
    if len(sys.argv) > 2:
        target, callees = sys.argv[2], collections.Counter()
        for frames in stacks:
            if target in frames:
                i = frames.index(target)
                callees[frames[i - 1] if i > 0 else "<self>"] += 1
        print(f"{target}: {sum(callees.values()) * 100 / total:.1f} % of {total} samples")
        for frame, n in callees.most_common(25):
            print(f"  {n * 100 / total:5.1f} %  {frame}")
        return
    own, inclusive = collections.Counter(), collections.Counter()
    for frames in stacks:
        own[frames[0]] += 1
        for frame in set(frames):
            inclusive[frame] += 1
    print(f"{total} samples\n-- self")
    for frame, n in own.most_common(30):
        print(f"{n * 100 / total:5.1f} %  {frame}")
    print("-- inclusive")
    for frame, n in inclusive.most_common(60):
        print(f"{n * 100 / total:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
