#!/bin/sh
# clawops' Redis (docker-compose.yml): persistence on, a password, users that survive restarts.
#
# - The ACL file lives in the data volume (/data/users.acl), so the users made for host agents
#   (`ACL SETUSER clawops-agent-prod …` then `ACL SAVE`) are there after a restart or an upgrade.
# - The `default` user — clawops itself — gets its password from REDIS_PASSWORD (redis.env) at
#   every start, stored as a SHA-256 hash, never in clear; the other users are left as saved.
# - AOF on (appendfsync everysec): a restart keeps the queued checks, alert state and history.
# - REDIS_BIND: where it listens. 127.0.0.1 for clawops on this host; add this host's tailnet
#   address (100.x.y.z) for remote workers and host agents. Never 0.0.0.0.
set -eu
: "${REDIS_PASSWORD:?set REDIS_PASSWORD in redis.env (see examples/redis.env)}"
data="${REDIS_DATA_DIR:-/data}"
acl="$data/users.acl"
hash=$(printf '%s' "$REDIS_PASSWORD" | sha256sum | cut -d' ' -f1)
touch "$acl"
{ grep -v '^user default ' "$acl" || true; printf 'user default on #%s ~* &* +@all\n' "$hash"; } > "$acl.new"
mv "$acl.new" "$acl"
chmod 0600 "$acl"
exec redis-server --dir "$data" --aclfile "$acl" \
  --appendonly yes --appendfsync everysec \
  --bind ${REDIS_BIND:-127.0.0.1} --protected-mode yes \
  --port "${REDIS_PORT:-6379}" "$@"
