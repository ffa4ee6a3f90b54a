# Sourced by bench/*: helpers every benchmark needs.

# A TCP port on 127.0.0.1 that is free now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# cpu_ticks PID...: the user+system CPU time the processes have used so far, in clock ticks
# (getconf CLK_TCK a second); a process that is gone counts 0. Fields 14 and 15 of
# /proc/PID/stat, counted after the command name, which may hold spaces.
cpu_ticks() {
  local p
  for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null || true; done |
    awk '{sub(/^.*\) /, ""); t += $12 + $13} END {print t + 0}'
}

# cpu_cap NAME CPUS PID: moves process PID (all its threads, and what it starts later) into a
# cgroup of its own that may use at most CPUS cores (e.g. 0.5): as if it ran on a machine of that
# size. cgroup v2 (cpu.max) or v1 (the cpu controller's CFS quota); root only. cpu_cap_clear
# removes the bench's cgroups once their processes are gone.
cpu_cap() {
  local name=$1 cpus=$2 pid=$3 period=100000 quota d
  quota=$(awk -v c="$cpus" -v p=$period 'BEGIN {printf "%d", c * p}')
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    d=/sys/fs/cgroup/chainboot-bench-$name
    grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    mkdir -p "$d" && echo "$quota $period" >"$d/cpu.max"
  elif [ -d /sys/fs/cgroup/cpu ]; then
    d=/sys/fs/cgroup/cpu/chainboot-bench-$name
    mkdir -p "$d" && echo "$period" >"$d/cpu.cfs_period_us" && echo "$quota" >"$d/cpu.cfs_quota_us"
  else
    echo "cpu_cap: no cgroup cpu controller here" >&2
    return 1
  fi
  echo "$pid" >"$d/cgroup.procs"
}
cpu_cap_clear() {
  rmdir /sys/fs/cgroup/chainboot-bench-* /sys/fs/cgroup/cpu/chainboot-bench-* 2>/dev/null || true
}
