#!/usr/bin/env python3
"""CPU per thread group of a running JVM over an interval, from /proc (Linux).

    bench/profiling/thread-cpu.py PID SECONDS

Groups threads by name with numbers folded (JettyServerThreadPool-47 -> JettyServerThreadPool-N),
so a service's share (Jetty, a consumer loop, the broker's request handlers, the JIT, GC) shows
as one line. Threads born during the interval count in full.
"""
import collections
import os
import re
import sys
import time


def snapshot(pid):
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue  # the thread ended between listing and reading
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        threads[tid] = (name, int(fields[11]) + int(fields[12]))  # utime + stime, in clock ticks
    return threads


def main():
    pid, seconds = sys.argv[1], float(sys.argv[2])
    ticks = os.sysconf("SC_CLK_TCK")
    before, start = snapshot(pid), time.time()
    time.sleep(seconds)
    after, elapsed = snapshot(pid), time.time() - start
    groups = collections.Counter()
    for tid, (name, used) in after.items():
        group = re.sub(r"\d+", "N", re.sub(r"[-#]?\d+$", "", name))
        groups[group] += (used - before.get(tid, (name, 0))[1]) / ticks
    total = sum(groups.values())
    print(f"total {total / elapsed:.2f} cores over {elapsed:.1f} s")
    for group, cpu in groups.most_common(20):
        print(f"{cpu / elapsed * 100:6.1f} % of a core  {cpu * 100 / max(total, 1e-9):5.1f} %  {group}")


if __name__ == "__main__":
    main()
