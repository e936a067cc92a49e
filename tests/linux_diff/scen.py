"""Reads tests/linux_diff/scenarios (see its header)."""


def load(path):
    scen, order, cur = {}, [], None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            kw, args = words[0], words[1:]
            where = "%s:%d" % (path, n)
            if kw == "scenario":
                if len(args) != 2 or not args[1].isdigit():
                    raise SystemExit("%s: scenario NAME PORT" % where)
                cur = {"name": args[0], "port": int(args[1]), "linux": [], "peer": [],
                       "drop": [], "timers": [], "known": None}
                scen[args[0]] = cur
                order.append(args[0])
            elif cur is None:
                raise SystemExit("%s: '%s' before the first scenario" % (where, kw))
            elif kw in ("linux", "peer"):
                cur[kw] = args
            elif kw == "drop":
                if len(args) != 3 or args[0] not in ("in", "out") or \
                        args[1] not in ("syn", "synack", "fin", "data", "pureack"):
                    raise SystemExit("%s: drop in|out syn|synack|fin|data|pureack N,...|all" % where)
                cur["drop"].append(args)
            elif kw == "timers":
                cur["timers"].extend(args)
            elif kw == "known":
                cur["known"] = " ".join(args)
            else:
                raise SystemExit("%s: unknown keyword '%s'" % (where, kw))
    return scen, order
