# Shell helpers the bench scripts share (sourced, not run): processes' CPU from /proc, and
# SIPp's statistics files.

tree() {   # a pid and all its descendants (Kamailio forks its workers)
  echo "$1"
  local c
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree "$c"; done
}
stat_fields() {   # the fields of /proc/PID/stat after the command name, which may hold spaces
  local s; s=$(cat /proc/"$1"/stat 2>/dev/null) || return 1; echo "${s##*) }"
}
ticks() {   # utime+stime of a process tree, in clock ticks
  local t=0 p f
  for p in $(tree "$1"); do
    read -r -a f <<< "$(stat_fields "$p")" || continue
    (( ${#f[@]} > 12 )) && t=$((t + f[11] + f[12]))
  done
  echo "$t"
}
jit_ticks() {   # utime+stime of the JIT compiler threads of process $1, in clock ticks
  local t=0 s f
  for s in /proc/"$1"/task/*/stat; do
    s=$(cat "$s" 2>/dev/null) || continue
    [[ $s == *"(C1 CompilerThre)"* || $s == *"(C2 CompilerThre)"* ]] || continue
    read -r -a f <<< "${s##*) }"
    t=$((t + f[11] + f[12]))
  done
  echo "$t"
}
reaped() {   # cutime+cstime of this script: the CPU of its children that have exited (the caller)
  local f; read -r -a f <<< "$(stat_fields $$)"; echo $(( f[13] + f[14] ))
}
running() { local f; f=$(stat_fields "$1") && [[ ${f:0:1} != Z ]]; }   # zombies are not running
stop() {   # TERM, up to 10 s, then KILL; the whole tree, so no Kamailio worker outlives its main
  local pids p i alive=""
  pids=$(tree "$1")
  kill -TERM $pids 2>/dev/null || true
  for ((i=0; i<50; i++)); do
    alive=""; for p in $pids; do running "$p" && alive+=" $p"; done
    [[ -z "$alive" ]] && break
    sleep 0.2
  done
  [[ -z "$alive" ]] || kill -KILL $alive 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
field() {   # field FILE COLUMN: COLUMN of FILE's last line, by its header; 0 when absent
  [[ -f "$1" ]] || { echo 0; return; }
  awk -F';' -v c="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==c) k=i} END{print (k?$k:0)+0}' "$1"
}
ports_free() {   # ports_free 'P1|P2|...': 0 when no socket listens on one of them, else lists them
  if ss -lunt | awk '{print $5}' | grep -qE ":($1)$"; then
    { echo "ports in use, stop what holds them first:"; ss -lunpt | grep -E ":($1) "; } >&2
    return 1
  fi
}
thread_ticks() {   # thread_ticks PID...: "group ticks" lines, utime+stime summed by thread name
  # with its digits as '#' (tandem-pekko.actor.default-dispatcher-7 -> ...-dispatcher-#); a
  # Java thread's whole name from jcmd (the kernel keeps 15 characters of it)
  local p s
  for p in "$@"; do
    echo "@names"; jcmd "$p" Thread.print 2>/dev/null | grep -o '^"[^"]*".* nid=0x[0-9a-f]*' || true
    echo "@stats"; for s in /proc/"$p"/task/*/stat; do cat "$s" 2>/dev/null; echo; done
  done | python3 -c '
import re, sys
groups, names, mode = {}, {}, None
for line in sys.stdin:
    if line.startswith("@"):
        mode = line.strip()
        if mode == "@names":
            names = {}
        continue
    if mode == "@names":
        m = re.match(r"\"([^\"]*)\".* nid=0x([0-9a-f]+)", line)
        if m:
            names[int(m.group(2), 16)] = m.group(1)
        continue
    if ")" not in line:
        continue
    tid = int(line.split()[0])
    name = names.get(tid, line[line.index("(") + 1:line.rindex(")")])
    name = re.sub(r"[0-9]+", "#", name)
    f = line[line.rindex(")") + 2:].split()
    groups[name] = groups.get(name, 0) + int(f[11]) + int(f[12])
for name, t in sorted(groups.items()):
    print(name.replace(" ", "_"), t)'
}
thread_report() {   # thread_report BEFORE AFTER CALLS: from two thread_ticks files, the groups that
  # took most CPU between them, in ms per call, largest first (those of at least 2 % of it)
  python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'PY'
import sys
def read(path):
    d = {}
    for line in open(path):
        name, t = line.split()
        d[name] = d.get(name, 0) + int(t)
    return d
before, after, calls, hz = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
diff = {n: t - before.get(n, 0) for n, t in after.items()}
total = sum(diff.values()) or 1
rows = sorted(diff.items(), key=lambda kv: -kv[1])
print("  CPU by thread group, ms per call (of %.3f):" % (total / hz * 1000 / calls))
for name, t in rows:
    if t * 50 >= total:
        print("    %-55s %7.3f  %4.1f %%" % (name, t / hz * 1000 / calls, 100.0 * t / total))
PY
}
