# lib.sh: what the load scripts (http_load.sh, fetch_load.sh, soak.sh) share. Sourced,
# never run:   here=...; root=...; source "$here/lib.sh"; bench_workdir http_load
#
# bench_workdir NAME    makes $work (a temp dir) and arranges for every pid appended to
#                       the array `started` to be killed and waited for, and $work
#                       removed, when the script exits.
# install_packages P... apt-get install (root, or sudo); 1 if that is impossible.
# require_wrk           installs wrk if missing; 1 if it is still missing.
# find_nginx            installs nginx-light if missing; sets nginx_bin (may not exist).
# write_nginx_conf DIR WORKERS CONNECTIONS LISTEN [SERVER_LINES]
#                       a minimal nginx.conf in DIR serving "Hello, World!\n" on LISTEN
#                       (e.g. "127.0.0.1:8080 backlog=4096"), access log off, temp paths
#                       in DIR; SERVER_LINES go into the server block (ssl settings).
# build_opt_copy TARGET...
#                       builds the Bazel targets with -c opt and copies each binary to
#                       $work/<name> (other builds may repoint bazel-bin meanwhile).
# cpu_ticks PID, rss_kb PID
#                       utime+stime of a process (all its threads) in clock ticks, and
#                       its resident set in KiB.
# to_us VALUE           wrk's "123.00us" / "1.2ms" / "2s" in microseconds.
# say, section          a line; a "== title" line after a blank one.

say() { printf '%s\n' "$*"; }
section() { printf '\n== %s\n' "$*"; }

bench_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  started=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local pid
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}

install_packages() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { say "cannot install $*: not root, no sudo"; return 1; }
    sudo=(sudo)
  fi
  say "installing: $*"
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
  "${apt[@]}" install -y -qq -o Dpkg::Use-Pty=0 "$@" </dev/null >/dev/null 2>&1 ||
    { "${apt[@]}" update -qq </dev/null >/dev/null 2>&1 &&
      "${apt[@]}" install -y -qq -o Dpkg::Use-Pty=0 "$@" </dev/null >/dev/null 2>&1; }
}

require_wrk() {
  command -v wrk >/dev/null 2>&1 || install_packages wrk
  command -v wrk >/dev/null 2>&1
}

find_nginx() {
  [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null 2>&1 || install_packages nginx-light
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
}

write_nginx_conf() {
  local dir=$1 workers=$2 connections=$3 listen=$4 server_lines=${5:-}
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
worker_processes $workers;
worker_rlimit_nofile $((connections + 4096));
daemon off;
error_log $dir/error.log;
pid $dir/nginx.pid;
events { worker_connections $connections; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen $listen;
$server_lines
    location / { default_type "text/plain; charset=utf-8"; return 200 "Hello, World!\n"; }
  }
}
EOF
}

build_opt_copy() {
  local target
  (cd "$root" && ./bazelw build -c opt "$@" >"$work/build.log" 2>&1) ||
    { say "build failed: $*"; tail -20 "$work/build.log"; return 1; }
  for target in "$@"; do
    cp "$root/bazel-out/k8-opt/bin/$(sed -e 's#^//##' -e 's#:#/#' <<<"$target")" "$work/" ||
      return 1
  done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") print n; else if (u == "ms") printf "%.0f", n * 1000;
    else if (u == "s") printf "%.0f", n * 1000000; else print n }'
}
