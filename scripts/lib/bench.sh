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
