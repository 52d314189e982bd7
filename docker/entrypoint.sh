#!/bin/sh
# foundry-emulator container entrypoint: the first argument chooses the role.
#   all      (default) the all-in-one emulator: every route on one port
#   auth     Multipass OAuth 2.0, the Admin API and the control plane
#   compute  compute-module runtimes and the contour job routes
#   env      print a .env block: env --client <id> [--user <username>] [--url <public URL>]
# Anything else is run as a command (e.g. `sh`, `node -e ...`), like the official node image.
set -e
role=${1:-all}
case "$role" in
  all | auth | compute)
    [ "$#" -gt 0 ] && shift
    # exec: node is PID 1 and receives SIGTERM itself (the services stop cleanly on it).
    # No --enable-source-maps: it parses and keeps every dist/*.map at start-up (about 6 MiB of
    # idle RSS). The bundles are not minified, so stack traces still name real functions; to map
    # them to the TypeScript sources, run with -e NODE_OPTIONS=--enable-source-maps.
    exec node "/app/dist/$role.mjs" "$@"
    ;;
  env)
    shift
    exec node "/app/dist/env.mjs" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
