#!/bin/sh
# The SDK reads MODULE_AUTH_TOKEN as the path of a file holding the token (Foundry mounts it).
# With MODULE_AUTH_TOKEN_VALUE set (compose does), write that file here: no trailing newline, or
# the token sent in Module-Auth-Token would not match.
set -e
if [ -n "${MODULE_AUTH_TOKEN_VALUE:-}" ]; then
  token_file=${MODULE_AUTH_TOKEN:-/tmp/compute-module/module-auth-token}
  mkdir -p "$(dirname "$token_file")"
  umask 077
  printf '%s' "$MODULE_AUTH_TOKEN_VALUE" > "$token_file"
  export MODULE_AUTH_TOKEN="$token_file"
  unset MODULE_AUTH_TOKEN_VALUE
fi
[ -n "${MODULE_AUTH_TOKEN:-}" ] || { echo "set MODULE_AUTH_TOKEN (a file) or MODULE_AUTH_TOKEN_VALUE" >&2; exit 1; }
exec node /module/index.mjs "$@"
