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

# armed_sql PREFIX COUNT: SQL for a chainboot SQLite database (run inside a transaction) adding
# COUNT machines 52:54:PREFIX:00:00:01 on, each with a once-assignment and a static one under it,
# both to profile "linux": the once case of the benches, a different armed machine per request.
armed_sql() {
  cat <<SQL
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $2)
INSERT INTO machines (mac, labels, created_at)
  SELECT printf('52:54:$1:%02x:%02x:%02x', n / 65536, (n / 256) % 256, n % 256), '{}', 0 FROM i;
INSERT INTO assignments (mac, kind, profile, created_at)
  SELECT mac, 'once', 'linux', 0 FROM machines WHERE mac LIKE '52:54:$1:%';
INSERT INTO assignments (mac, kind, profile, created_at)
  SELECT mac, 'static', 'linux', 0 FROM machines WHERE mac LIKE '52:54:$1:%';
SQL
}
