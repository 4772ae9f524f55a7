#!/bin/sh
# The packed `sisflow` command (scripts/pack-cli.mjs copies this file to dist/sisflow, the package's
# bin, with @SNAPSHOT_ID@ replaced by a hash of dist/cli-snapshot.cjs). It runs dist/sisflow.cjs
# with node, and for the checking verbs (validate, plan, schema), which only read files:
#
# - without NODE_EXTRA_CA_CERTS: Node 20 reads that file of certificates at every start, before any
#   JavaScript runs (tens of milliseconds), and these verbs open no connection;
# - from a start-up snapshot of their code (packages/cli/src/snapshot-entry.ts) when this node made
#   one for this package: node then starts with the code loaded and compiled instead of loading it.
#   The snapshot is a file in the compile cache folder, made in the background after a run that
#   found none (packages/cli/src/snapshot-build.ts); a snapshot loads only in the node that made it,
#   so its `.key` companion names that node's file (inode and path) and the file must be newer than
#   node. Not with NODE_OPTIONS set (its flags may not fit the snapshot), nor when
#   SISFLOW_NO_SNAPSHOT=1 or SISFLOW_NO_COMPILE_CACHE=1. Removing the folder is always safe.
# Every other verb: `exec node dist/sisflow.cjs`, as it is.
self=$0
# `sh sisflow` in the folder of npm's bin symlink: its target is relative to that folder.
case $self in
  */*) ;;
  *) self=./$self ;;
esac
while [ -h "$self" ]; do
  link=$(readlink "$self") || break
  case $link in
    /*) self=$link ;;
    *) self=${self%/*}/$link ;;
  esac
done
case $self in
  */*) dir=${self%/*} ;;
  *) dir=. ;;
esac

verb=
for arg in "$@"; do
  case $arg in
    -*) ;;
    *) verb=$arg; break ;;
  esac
done

case $verb in
  validate | plan | schema) ;;
  *) exec node "$dir/sisflow.cjs" "$@" ;;
esac

unset NODE_EXTRA_CA_CERTS
node=$(command -v node) || exec node "$dir/sisflow.cjs" "$@"
if [ -n "${NODE_OPTIONS:-}" ] || [ "${SISFLOW_NO_SNAPSHOT:-0}" != 0 ] || [ "${SISFLOW_NO_COMPILE_CACHE:-0}" != 0 ]; then
  exec "$node" "$dir/sisflow.cjs" "$@"
fi
cache=${SISFLOW_COMPILE_CACHE_DIR:-}
if [ -z "$cache" ]; then
  case ${XDG_CACHE_HOME:-} in
    /*) cache=$XDG_CACHE_HOME/sisflow/v8 ;;
    *) [ -n "${HOME:-}" ] || exec "$node" "$dir/sisflow.cjs" "$@"; cache=$HOME/.cache/sisflow/v8 ;;
  esac
fi
# `ls -iL` names node's file by its inode (a new node is a new file) and its path.
id=$(ls -iL "$node" 2>/dev/null) || exec "$node" "$dir/sisflow.cjs" "$@"
id=${id#"${id%%[! ]*}"}
blob=$cache/snapshot-@SNAPSHOT_ID@-${id%% *}.blob
want="@SNAPSHOT_ID@ $id"
found=
[ -f "${blob%.blob}.key" ] && read -r found < "${blob%.blob}.key"
# A snapshot is code this user's node will run: only one of this user's own.
if [ "$found" = "$want" ] && [ -f "$blob" ] && [ -O "$blob" ] && [ "$blob" -nt "$node" ]; then
  # Not `exec`: node refuses a snapshot made by another node behind the same file (a version
  # manager's shim: asdf, mise, volta, nodenv) or under another V8 configuration (valgrind, a cache
  # folder shared by machines whose CPUs differ) with exit code 14, before running any JavaScript;
  # the command then runs without it, and asks the node that runs it for a new one.
  #
  # So node is this shell's child, and the shell stands in for it: a TERM or HUP sent to the
  # command (a supervisor, an editor stopping a stale check) is passed on to node, and the shell
  # ends when node does, with its status. Ctrl-C reaches node from the terminal itself: the shell
  # ignores INT (passing it on would be a second Ctrl-C, which quits at once) and waits. Node runs
  # in the background only so that the shell can take signals while it runs; a background job of
  # a script reads /dev/null unless told otherwise, so it is given the command's stdin (through
  # fd 9; /dev/null when the command was started with stdin closed).
  trap '' INT
  trap 'kill -TERM "$child" 2>/dev/null' TERM
  trap 'kill -HUP "$child" 2>/dev/null' HUP
  if true 2>&- 9<&0; then exec 9<&0; else exec 9</dev/null; fi
  "$node" --snapshot-blob "$blob" "$dir/sisflow.cjs" "$@" 0<&9 9<&- &
  child=$!
  exec 9<&-
  # `wait` returns early (above 128) when a signal the shell passes on arrives: wait again while node runs.
  wait "$child"
  status=$?
  while [ "$status" -gt 128 ] && kill -0 "$child" 2>/dev/null; do
    wait "$child"
    status=$?
  done
  trap - INT TERM HUP
  [ "$status" -eq 14 ] || exit "$status"
  echo "sisflow: the start-up snapshot $blob was made by another node or V8 configuration; running without it (a new one is made)" >&2
  rm -f "$blob" "${blob%.blob}.key"
  found=
fi
# Asked for only where it can be written: no builder at every run for a cache folder that cannot be.
if [ "$found" != "failed $want" ] && [ -f "$dir/cli-snapshot.cjs" ] && { [ -d "$cache" ] || mkdir -p "$cache" 2>/dev/null; } && [ -w "$cache" ]; then
  SISFLOW_SNAPSHOT_TO=$blob SISFLOW_SNAPSHOT_KEY=$want
  export SISFLOW_SNAPSHOT_TO SISFLOW_SNAPSHOT_KEY
fi
exec "$node" "$dir/sisflow.cjs" "$@"
