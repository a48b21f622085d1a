#!/usr/bin/env bash
# `npm test`: every tier, as CI runs it. Installs Node 24 and the dependencies when missing, checks
# lint, formatting, types and the layering rules, builds the app, then runs unit, integration and
# end-to-end tests inside a private D-Bus session with a throw-away GNOME Keyring, so the tests
# use a real Secret Service and never touch your own keychain.
set -euo pipefail
source "$(dirname "$0")/ensure-node.sh"
cd "$repo_root"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The SSH layer's tests run a real sshd (and sudo beside it) on loopback: tests/integration/openssh-server.ts.
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-agent >/dev/null 2>&1 || missing+=(openssh-client)
command -v sudo >/dev/null 2>&1 || missing+=(sudo)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "clusterdeck: installing test tools: ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "clusterdeck: the tests need these packages: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

ensure_dependencies

echo "== lint, formatting, types, layering"
npm run -s lint

echo "== build"
npx electron-vite build >/dev/null
npm run -s build:cli

echo "== tests"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" .cache
# The tests get a throw-away HOME; the peers tier still finds what scripts/peers.sh built.
export CLUSTERDECK_PEERS_CACHE="${CLUSTERDECK_PEERS_CACHE:-$HOME/.cache/clusterdeck-peers}"
results="$repo_root/.cache/test-results.json"
rm -f "$results"
set +e
HOME="$scratch/home" XDG_DATA_HOME="$scratch/home/.local/share" XDG_CONFIG_HOME="$scratch/home/.config" \
  dbus-run-session -- bash -c '
    printf "clusterdeck-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$0" "${@}"
  ' "$results" "$@" 2> >(grep -v "Failed to set fd limit" >&2)
status=$?
set -e
if [ -f "$results" ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    // CI keeps only the tail of the output, so the failures are named again here, last.
    for (const file of r.testResults) {
      for (const test of file.assertionResults.filter((t) => t.status === "passed" && t.failureMessages.length > 0)) {
        const why = test.failureMessages[0].split("\n")[0];
        console.log(`\nFLAKY (passed on its retry) ${file.name.replace(process.cwd() + "/", "")} > ${test.fullName}\n    first try: ${why}`);
      }
      for (const test of file.assertionResults.filter((t) => t.status === "failed")) {
        const why = (test.failureMessages[0] ?? file.message ?? "").split("\n").slice(0, 6).join("\n    ");
        console.log(`\nFAILED ${file.name.replace(process.cwd() + "/", "")} > ${test.fullName}\n    ${why}`);
      }
      if (file.status === "failed" && file.assertionResults.length === 0) console.log(`\nFAILED ${file.name}: ${file.message}`);
    }
    console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$results"
fi
exit $status
