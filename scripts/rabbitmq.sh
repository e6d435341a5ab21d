#!/usr/bin/env bash
# A throwaway RabbitMQ for the tests, from Debian's rabbitmq-server package
# (scripts/bootstrap.sh --browser installs it): `start` (idempotent: an
# already running one is kept), `stop`, `url`. All its state is under
# target/services/rabbitmq; it listens on loopback only, on ports that do
# not clash with a system broker (AMQP 55672, distribution 55673, its own
# epmd on 54369). See docs/deployment.md for running a real one.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${ZITISCOPE_RABBITMQ_DIR:-$PWD/target/services/rabbitmq}
PORT=${ZITISCOPE_RABBITMQ_PORT:-55672}
BIN=/usr/lib/rabbitmq/bin

# The node and its command-line tools must agree on all of these.
export HOME=$DIR/home                       # the Erlang cookie lives here
export RABBITMQ_NODENAME=zitiscope@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$PORT
export RABBITMQ_DIST_PORT=$((PORT + 1))     # its default, PORT + 20000, is past 65535
export ERL_EPMD_PORT=$((PORT - 1303))       # 54369: never the system's epmd (4369)
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_BASE=$DIR
export RABBITMQ_MNESIA_BASE=$DIR/mnesia
export RABBITMQ_LOG_BASE=$DIR/log
export RABBITMQ_CONFIG_FILE=$DIR/rabbitmq
export RABBITMQ_ADVANCED_CONFIG_FILE=$DIR/advanced.config
export RABBITMQ_CONF_ENV_FILE=$DIR/rabbitmq-env.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins
export RABBITMQ_ENABLED_PLUGINS=
export RABBITMQ_PID_FILE=$DIR/rabbit.pid
export RABBITMQ_PLUGINS_EXPAND_DIR=$DIR/plugins-expand
export RABBITMQ_FEATURE_FLAGS_FILE=$DIR/feature_flags
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

case "${1:-}" in
start)
  if listening; then exit 0; fi
  if [ ! -x "$BIN/rabbitmq-server" ]; then
    echo "rabbitmq.sh: Debian's rabbitmq-server is not installed (scripts/bootstrap.sh --browser installs it)" >&2
    exit 1
  fi
  mkdir -p "$HOME" "$RABBITMQ_LOG_BASE"
  touch "$RABBITMQ_CONF_ENV_FILE"
  # Its own session, so that a test's process group going away leaves it be.
  setsid "$BIN/rabbitmq-server" >"$DIR/stdout.log" 2>&1 </dev/null &
  # The AMQP listener opens as the last step of the boot.
  for _ in $(seq 1200); do
    if listening; then exit 0; fi
    sleep 0.1
  done
  echo "rabbitmq.sh: no broker on 127.0.0.1:$PORT after 120 s; see $DIR/stdout.log" >&2
  tail -20 "$DIR/stdout.log" >&2 || true
  exit 1
  ;;
stop)
  if listening || [ -f "$RABBITMQ_PID_FILE" ]; then
    pid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
    "$BIN/rabbitmqctl" -q shutdown >/dev/null 2>&1 || true
    # Stopped means the port is closed: a shutdown that timed out on a
    # loaded machine leaves the node up, so it is ended by its pid, hard
    # at last. A test that stops the broker relies on it being gone.
    for signal in TERM TERM KILL; do
      for _ in $(seq 100); do
        if ! listening; then break 2; fi
        sleep 0.1
      done
      if [ -n "$pid" ]; then kill -"$signal" "$pid" 2>/dev/null || true; fi
    done
    if listening; then
      echo "rabbitmq.sh: the broker on 127.0.0.1:$PORT does not stop" >&2
      exit 1
    fi
  fi
  # The node starts an epmd that outlives it; this stops ours only.
  epmd -kill >/dev/null 2>&1 || true
  rm -f "$RABBITMQ_PID_FILE"
  ;;
url)
  echo "amqp://guest:guest@127.0.0.1:$PORT/%2f"
  ;;
*)
  echo "usage: scripts/rabbitmq.sh start|stop|url" >&2
  exit 2
  ;;
esac
