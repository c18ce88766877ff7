# bench/lib.sh — shared by the benches: axon, and for the SMTP benches Postfix 3.7 from Debian, each in a
# temporary directory on loopback, delivering into local mailboxes (Postfix: virtual(8) into Maildir; axon: its
# mailstore). Source it after setting: messages, sessions, size; optionally pf_extra (main.cf lines) and ax_extra
# (sed expressions for axon.toml, an array); bench_postfix=no leaves Postfix out (bench/imap-load brings its own
# incumbent). Provides: pf_port, ax_port (SMTP), ax_offset, ax_pid, axon, work, root, cleanup, count_postfix,
# count_axon, run NAME PORT COUNTER.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_postfix=${bench_postfix:-yes}
if [ "$bench_postfix" = yes ] && { ! command -v smtp-source >/dev/null || ! command -v postfix >/dev/null; }; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi
"$root/scripts/deps.sh" >/dev/null
"$root/scripts/build.sh" "$root/build" >/dev/null
axon="$root/build/src/app/axon"

work=$(mktemp -d /var/tmp/axon-bench.XXXXXX)
chmod 755 "$work"
pf_port=$((30000 + RANDOM % 5000))
ax_offset=$((40000 + RANDOM % 5000))
ax_port=$((25 + ax_offset))
pfdir="$work/postfix"
cleanup() {
  postfix -c "$pfdir" stop >/dev/null 2>&1 || true
  [ -n "${ax_pid:-}" ] && kill "$ax_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ---- Postfix in its own config/queue directories, on loopback only -------------------------------------------
start_postfix() {
mkdir -p "$pfdir" "$work/pfqueue" "$work/pfdata" "$work/pfmail"
chown postfix "$work/pfdata"
chown nobody:nogroup "$work/pfmail"
cat > "$pfdir/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $work/pfqueue
data_directory = $work/pfdata
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.localdomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $work/postfix.log
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $work/pfmail
virtual_mailbox_maps = texthash:$pfdir/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
default_process_limit = 100
smtpd_client_connection_count_limit = 0
${pf_extra:-}
smtpd_client_connection_rate_limit = 0
alias_maps =
alias_database =
CF
echo "user@bench.test bench.test/user/" > "$pfdir/vmailbox"
# Debian's master.cf with chroot off (the queue is not a prepared chroot) and smtpd on our port.
sed -E -e 's/^(smtp[[:space:]]+inet[[:space:]]+)/#\1/' \
    -e 's/^([a-z0-9.-]+[[:space:]]+(unix|inet|fifo|pass|unix-dgram)[[:space:]]+[-ny][[:space:]]+[-ny][[:space:]]+)y/\1n/' \
    /etc/postfix/master.cf > "$pfdir/master.cf"
echo "127.0.0.1:$pf_port inet n - n - - smtpd" >> "$pfdir/master.cf"
postfix -c "$pfdir" check >/dev/null 2>&1 || true
postfix -c "$pfdir" start >/dev/null 2>&1
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$pf_port) 2>/dev/null && break; sleep 0.1; done
}
if [ "$bench_postfix" = yes ]; then start_postfix; fi

# ---- axon ------------------------------------------------------------------------------------------------------
"$axon" init "$work/axon" --domain bench.test --listen 127.0.0.1 --port-offset "$ax_offset" >/dev/null
printf 'bench-password\n' | "$axon" --config "$work/axon/axon.toml" user add user@bench.test --password-stdin
# As for Postfix above (smtpd_client_connection_count_limit = 0): no per-client limit gets in the way.
sed -i -e 's/^log_level = .*/log_level = "warn"/' -e 's/^max_connections_per_ip = .*/max_connections_per_ip = 1000/' \
  "${ax_extra[@]}" "$work/axon/axon.toml"
"$axon" --config "$work/axon/axon.toml" serve > "$work/axon.log" 2>&1 &
ax_pid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$ax_port) 2>/dev/null && break; sleep 0.1; done
if ! kill -0 "$ax_pid" 2>/dev/null; then
  echo "axon did not start:" >&2
  cat "$work/axon.log" >&2
  exit 1
fi

count_postfix() { find "$work/pfmail/bench.test/user/new" -type f 2>/dev/null | wc -l; }
# Messages committed to the INBOX (a message file exists before its row commits: counting files would stop the
# clock while the last one is still being written).
count_axon() {
  "$axon" mailbox ls user@bench.test --json --config "$work/axon/axon.toml" 2>/dev/null |
    sed -n 's/.*"messages":\([0-9]*\),"name":"INBOX".*/\1/p;s/.*"name":"INBOX","messages":\([0-9]*\).*/\1/p' | head -1 |
    grep . || echo 0
}

# run NAME PORT COUNTER -> prints messages/s
run() {
  local name=$1 port=$2 counter=$3
  local t0 t1 n
  t0=$(date +%s.%N)
  smtp-source -c -l "$size" -m "$messages" -s "$sessions" -f sender@bench.test -t user@bench.test \
    "127.0.0.1:$port" >/dev/null 2>&1 || true
  while n=$($counter); [ "$n" -lt "$messages" ]; do
    sleep 0.05
    if awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { exit !(a - b > 600) }'; then
      echo "$name: timed out at $n messages" >&2
      break
    fi
  done
  t1=$(date +%s.%N)
  awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", n / (b - a) }'
}

