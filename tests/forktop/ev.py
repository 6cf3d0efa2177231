"""Helpers for the forktop integration tests: load a JSONL events file and check it.
Used as: python3 -c 'from ev import *; E = load("out.jsonl"); ...' with PYTHONPATH set to
this directory. Every check raises AssertionError with a message naming what differed."""
import json
import sys


class Events:
    def __init__(self, path):
        self.lines = [json.loads(l) for l in open(path)]
        assert self.lines, "empty events file"
        self.header = self.lines[0]
        assert self.header["type"] == "header", "first line is not the header"
        assert self.header["version"] == 1, "format version"
        self.summary = self.lines[-1] if self.lines[-1]["type"] == "summary" else None
        self.ev = [l for l in self.lines[1:] if l["type"] != "summary"]

    def of(self, typ, **kw):
        out = []
        for e in self.ev:
            if e["type"] != typ:
                continue
            if all(e.get(k) == v for k, v in kw.items()):
                out.append(e)
        return out

    def procs(self):
        """spawn events of processes (not threads)."""
        return [e for e in self.of("spawn") if not e["thread"]]

    def root(self):
        return self.procs()[0]

    def by_pid(self, pid):
        return [e for e in self.ev if e["pid"] == pid]

    def perms(self, event):
        """The permissions snapshot in force at `event`, following perms_inherited (the
        parent's) and perms_unchanged (the process's previous one) as docs/events.md says."""
        cur = {}      # process id -> perms
        live = {}     # pid -> process id
        for e in self.ev:
            if e["type"] in ("spawn", "exec", "attach") and not e.get("thread"):
                if "perms" in e:
                    cur[e["id"]] = e["perms"]
                elif e.get("perms_inherited"):
                    cur[e["id"]] = cur.get(live.get(e["ppid"]))
                live[e["pid"]] = e["id"]
            if e is event:
                return cur.get(e["id"])
        raise KeyError("event not in this file")


def load(path):
    return Events(path)


def eq(expected, actual, what):
    assert expected == actual, f"{what}: expected {expected!r}, got {actual!r}"


if __name__ == "__main__":
    E = load(sys.argv[1])
    for e in E.ev:
        print(e["type"], e["pid"], e.get("nspid"), e.get("ppid"), e.get("tid"))
