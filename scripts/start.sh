#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and opens Clusterdeck. Where Electron's binary
# cannot be fetched (an offline machine), the same app opens in your browser through the loopback
# WebSocket host instead.
set -euo pipefail
source "$(dirname "$0")/ensure-node.sh"
cd "$repo_root"
ensure_dependencies
npx electron-vite build >/dev/null
npm run -s build:cli

if node -e 'require("electron")' >/dev/null 2>&1 && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" -o "$(uname -s)" != Linux ]; then
  exec npx electron .
fi
echo "clusterdeck: Electron is not available here; opening the app through the browser host instead." >&2
exec node src-main/transport/serve.ts --open
