# Sourced by bench/* (after scripts/lib/bench.sh): a throw-away PostgreSQL cluster from Debian's packages, run as the postgres
# user (the caller is root), user chainboot with trust authentication, on 127.0.0.1 only.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

pg_start() { # dir port [postgres -c settings...]: initdb and start a cluster in dir (made here)
  local dir=$1 port=$2 opts="" s
  shift 2
  for s in "$@"; do opts="$opts -c $s"; done
  mkdir -p "$dir" && chown postgres:postgres "$dir"
  runuser -u postgres -- "$pgbin/initdb" -D "$dir" -U chainboot --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir" -w -l "$dir/postgresql.log" \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1$opts" start >/dev/null
}

pg_stop() { # dir: stops the cluster in dir, if there is one
  [ -d "$1" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$1" -m immediate stop >/dev/null 2>&1 || true
}
