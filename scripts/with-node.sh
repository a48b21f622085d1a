#!/usr/bin/env bash
# Runs a command with a Node that satisfies package.json `engines` first on PATH: the machine's
# when it is recent enough, else the Node 24 that `npm start`/`npm test` put into .tools/ (installed
# now if missing). The npm scripts go through here, so they work wherever `npm` itself runs.
set -euo pipefail
source "$(dirname "$0")/ensure-node.sh"
exec "$@"
