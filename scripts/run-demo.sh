#!/usr/bin/env bash
# The README's run command: installs the Debian packages, builds in Release, creates a demo instance in ./demo on
# first run (loopback only, ports offset by 10000 so it runs beside any system mail server, without root), and
# serves it in the foreground. Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh" "$root/build" >/dev/null
axon="$root/build/src/app/axon"
demo=${AXON_DEMO_DIR:-$root/demo}
domain=axon.test
offset=10000
if [ ! -f "$demo/axon.toml" ]; then
  "$axon" init "$demo" --domain "$domain" --listen 127.0.0.1 --port-offset "$offset"
  pw=$(openssl rand -base64 18 | tr -dc 'A-Za-z0-9' | head -c 16)
  printf '%s\n' "$pw" | "$axon" user add "demo@$domain" --password-stdin --config "$demo/axon.toml"
  (umask 077 && printf 'demo@%s %s\n' "$domain" "$pw" > "$demo/demo-credentials")
fi
read -r user pw < "$demo/demo-credentials"
cat <<TXT

  Axon demo instance: $demo
  domain     $domain
  SMTP       127.0.0.1:$((25 + offset))   (try: swaks --server 127.0.0.1:$((25 + offset)) --to $user)
  IMAP       127.0.0.1:$((143 + offset))  (STARTTLS; implicit TLS on $((993 + offset)); try:
             curl -u $user:$pw imap://127.0.0.1:$((143 + offset))/INBOX)
  POP3       127.0.0.1:$((110 + offset))  (STLS; implicit TLS on $((995 + offset)))
  user       $user
  password   $pw
  mailboxes  $axon mailbox ls $user --config $demo/axon.toml

TXT
exec "$axon" serve --config "$demo/axon.toml"
