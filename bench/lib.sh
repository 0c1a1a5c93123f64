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
