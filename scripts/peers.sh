#!/usr/bin/env bash
# Builds the real peers the `peers` test tier runs (helm, talosctl, etcd, etcdutl, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl, kwok, kwokctl) from the Go module proxy with the
# machine's Go, at the versions pinned in scripts/peers.versions, and caches each one under
# ~/.cache/clusterdeck-peers/<name>-<version>/ so a rerun costs nothing. Prints what it built and how
# long each took, and writes current.env (name=path lines) for tests/support/peers.ts.
# Usage: scripts/peers.sh [peer …]   (no arguments: all). Details and fallbacks: docs/test-peers.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=peers.versions
source "$here/peers.versions"

cache="${CLUSTERDECK_PEERS_CACHE:-$HOME/.cache/clusterdeck-peers}"
go="${GO:-}"
if [ -z "$go" ]; then
  if [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; else go="$(command -v go || true)"; fi
fi
if [ -z "$go" ] || ! "$go" version >/dev/null 2>&1; then
  echo "peers: Go is not installed (looked for \$GO, /usr/local/go/bin/go and go on PATH)." >&2
  echo "peers: nothing built; the peers test tier will report itself skipped. Install Go ≥ 1.26 to run it." >&2
  exit 0
fi

mkdir -p "$cache"
export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOPATH="$cache/gopath"
# The machine's Go only (no toolchain downloads), static binaries, and wrapper modules may add the
# requirements and checksums they discover while building.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
# Two cores shared with everyone's tests: builds yield to anything else that wants the CPU.
run() { nice -n 19 "$go" "$@"; }

exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "peers: another peers build holds $cache/.lock; waiting for it" >&2
  flock 9
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
summary=()

have() { [ -x "$cache/$1-$2/$1" ] && [ -f "$cache/$1-$2/.complete" ]; }
# Moves a freshly built binary into its versioned cache folder and marks it complete.
store() {
  local name=$1 version=$2 binary=$3 dir="$cache/$1-$2"
  [ -x "$binary" ] || { echo "peers: the build left no $binary" >&2; return 1; }
  rm -rf "$dir" && mkdir -p "$dir"
  mv "$binary" "$dir/$name"
  date -u +%FT%TZ >"$dir/.complete"
}
# Downloads a module (and its go.mod) before any build, so a missing version is named at once.
probe() {
  local out
  if ! out="$(run mod download -json "$1@$2" 2>&1)" || grep -q '"Error"' <<<"$out"; then
    echo "peers: $1@$2 is not available from the Go module proxy ($(grep -o '"Error": "[^"]*' <<<"$out" | head -1 | cut -c11-))" >&2
    return 1
  fi
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$out"
}
# A throw-away module in $scratch that requires the real one, for modules whose own go.mod has
# replace directives (go install refuses those).
wrapper() {
  local dir="$scratch/$1"
  mkdir -p "$dir" && cd "$dir"
  run mod init "clusterdeck.invalid/peers/$1" >/dev/null 2>&1
}
# Runs one build and records the outcome in $built (and the summary); never fails itself, because
# bash ignores `set -e` inside anything called from a condition or an `||` list.
timed() {
  local label=$1 start=$SECONDS status
  shift
  echo "peers: building $label"
  set +e
  (
    set -e
    "$@"
  ) >"$scratch/$label.log" 2>&1
  status=$?
  set -e
  if [ $status = 0 ]; then
    built=1
    summary+=("built   $label in $((SECONDS - start))s")
  else
    built=0
    echo "peers: building $label failed after $((SECONDS - start))s:" >&2
    tail -n 30 "$scratch/$label.log" >&2
    failed+=("$label")
  fi
}

build_kwok() {
  local v=$KWOK_VERSION ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBERNETES_VERSION#v}"
  probe sigs.k8s.io/kwok "$v" >/dev/null
  GOBIN="$scratch/kwok-bin" run install -trimpath -ldflags "$ld" "sigs.k8s.io/kwok/cmd/kwok@$v" "sigs.k8s.io/kwok/cmd/kwokctl@$v"
  store kwok "$v" "$scratch/kwok-bin/kwok"
  store kwokctl "$v" "$scratch/kwok-bin/kwokctl"
}

build_helm() {
  probe helm.sh/helm/v4 "$HELM_VERSION" >/dev/null
  local p=helm.sh/helm/v4/internal/version
  GOBIN="$scratch/helm-bin" run install -trimpath \
    -ldflags "-s -w -X $p.version=$HELM_VERSION -X $p.gitTreeState=clean" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  store helm "$HELM_VERSION" "$scratch/helm-bin/helm"
}

# etcd's server module has replace lines for its sibling modules, all of which are tagged, so the
# wrapper needs no replace lines of its own.
build_etcd() {
  local v=$1
  probe go.etcd.io/etcd/server/v3 "$v" >/dev/null
  wrapper "etcd-$v"
  run get "go.etcd.io/etcd/server/v3@$v"
  run build -trimpath -ldflags "-s -w" -o "$scratch/etcd" go.etcd.io/etcd/server/v3
  store etcd "$v" "$scratch/etcd"
}

# etcdutl (offline snapshot tools: `etcdutl snapshot status`) from its own module at etcd's version;
# it shares etcd's requirements, so the build reuses most of etcd's cache.
build_etcdutl() {
  local v=$1
  probe go.etcd.io/etcd/etcdutl/v3 "$v" >/dev/null
  wrapper "etcdutl-$v"
  run get "go.etcd.io/etcd/etcdutl/v3@$v"
  run build -trimpath -ldflags "-s -w" -o "$scratch/etcdutl" go.etcd.io/etcd/etcdutl/v3
  store etcdutl "$v" "$scratch/etcdutl"
}

# k8s.io/kubernetes requires every staging module (k8s.io/api, …) at v0.0.0 and replaces it with
# ./staging/src/…; the wrapper replaces each with its published v0.<minor>.<patch> instead. Sets
# $kube_ld to the linker flags that stamp the version the binaries report.
kubernetes_wrapper() {
  local v=$KUBERNETES_VERSION gomod minor staging date p
  gomod="$(probe k8s.io/kubernetes "$v")"
  minor="$(cut -d. -f2 <<<"$v")"
  staging="$(run mod edit -json "$gomod" | tr -d ' \n\t' | grep -o '"Path":"k8s.io/[^"]*","Version":"v0.0.0"' | cut -d'"' -f4)"
  wrapper kubernetes
  run mod edit -go="$(run mod edit -json "$gomod" | tr -d ' \n\t' | grep -o '"Go":"[^"]*"' | cut -d'"' -f4)"
  grep '^godebug' "$gomod" >>go.mod || true
  for p in $staging; do run mod edit -replace="$p=$p@v0.${v#v1.}"; done
  run get "k8s.io/kubernetes@$v"
  date="$(date -u +%FT%TZ)"
  kube_ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kube_ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  mkdir -p "$scratch/kube-bin"
}

build_kubernetes() {
  local p
  kubernetes_wrapper
  run build -trimpath -tags selinux,notest -ldflags "$kube_ld" -o "$scratch/kube-bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
  for p in kube-apiserver kube-controller-manager kube-scheduler; do store "$p" "$KUBERNETES_VERSION" "$scratch/kube-bin/$p"; done
}

# kubectl, for the tests that check an exported kubeconfig the way a user would; its own cache
# folder, so adding it left the server binaries' entries valid.
build_kubectl() {
  kubernetes_wrapper
  run build -trimpath -ldflags "$kube_ld" -o "$scratch/kube-bin/" k8s.io/kubernetes/cmd/kubectl
  store kubectl "$KUBERNETES_VERSION" "$scratch/kube-bin/kubectl"
}

# Talos replaces pkg/machinery with its own folder (the same tag resolves from the proxy) and a few
# dependencies with forks; the wrapper copies every replace that points at a published module.
# The version talosctl reports is embedded from the published machinery module, no ldflags needed.
build_talosctl() {
  local v=$TALOS_VERSION gomod r
  gomod="$(probe github.com/siderolabs/talos "$v")"
  wrapper talos
  # Talos' own go.sum: its forks' pseudo-versions are unknown to sum.golang.org, so their hashes
  # come from the checksums Talos published with its release.
  cp "$(run mod download -json "github.com/siderolabs/talos@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')/go.sum" go.sum
  run mod edit -go="$(run mod edit -json "$gomod" | tr -d ' \n\t' | grep -o '"Go":"[^"]*"' | cut -d'"' -f4)"
  for r in $(run mod edit -json "$gomod" | tr -d ' \n\t' |
    grep -o '{"Old":{"Path":"[^"]*"\(,"Version":"[^"]*"\)\{0,1\}},"New":{"Path":"[^"]*","Version":"[^"]*"}}' |
    sed 's/{"Old":{"Path":"\([^"]*\)"\(,"Version":"[^"]*"\)\{0,1\}},"New":{"Path":"\([^"]*\)","Version":"\([^"]*\)"}}/\1=\3@\4/'); do
    run mod edit -replace="$r"
  done
  run get "github.com/siderolabs/talos@$v"
  run build -trimpath -tags grpcnotrace -ldflags "-s -w" -o "$scratch/talosctl" github.com/siderolabs/talos/cmd/talosctl
  store talosctl "$v" "$scratch/talosctl"
}

want() { [ ${#requested[@]} -eq 0 ] || [[ " ${requested[*]} " == *" $1 "* ]]; }
requested=("$@")
echo "peers: $("$go" version), cache $cache"

if want kwok || want kwokctl; then
  if have kwok "$KWOK_VERSION" && have kwokctl "$KWOK_VERSION"; then
    summary+=("cached  kwok, kwokctl $KWOK_VERSION")
  else timed "kwok-$KWOK_VERSION" build_kwok; fi
fi
etcd_version=$ETCD_VERSION
if want etcd; then
  if have etcd "$ETCD_VERSION"; then
    summary+=("cached  etcd $ETCD_VERSION")
  else
    timed "etcd-$ETCD_VERSION" build_etcd "$ETCD_VERSION"
    if [ $built = 0 ]; then
      # Next best: the newest 3.5 patch, which Kubernetes still supports as its storage.
      etcd_version=$ETCD_FALLBACK_VERSION
      echo "peers: falling back to etcd $etcd_version" >&2
      if have etcd "$etcd_version"; then summary+=("cached  etcd $etcd_version (fallback)"); else
        timed "etcd-$etcd_version" build_etcd "$etcd_version"
      fi
    fi
  fi
fi
if want etcdutl; then
  if have etcdutl "$etcd_version"; then summary+=("cached  etcdutl $etcd_version"); else
    timed "etcdutl-$etcd_version" build_etcdutl "$etcd_version"
  fi
fi
if want kube-apiserver || want kube-controller-manager || want kube-scheduler; then
  if have kube-apiserver "$KUBERNETES_VERSION" && have kube-controller-manager "$KUBERNETES_VERSION" &&
    have kube-scheduler "$KUBERNETES_VERSION"; then
    summary+=("cached  kube-apiserver, kube-controller-manager, kube-scheduler $KUBERNETES_VERSION")
  else timed "kubernetes-$KUBERNETES_VERSION" build_kubernetes; fi
fi
if want kubectl; then
  if have kubectl "$KUBERNETES_VERSION"; then summary+=("cached  kubectl $KUBERNETES_VERSION"); else
    timed "kubectl-$KUBERNETES_VERSION" build_kubectl
  fi
fi
if want helm; then
  if have helm "$HELM_VERSION"; then summary+=("cached  helm $HELM_VERSION"); else
    timed "helm-$HELM_VERSION" build_helm
  fi
fi
if want talosctl; then
  if have talosctl "$TALOS_VERSION"; then summary+=("cached  talosctl $TALOS_VERSION"); else
    timed "talosctl-$TALOS_VERSION" build_talosctl
  fi
fi

# current.env: the binaries available now, for the test support to find.
{
  echo "kubernetes_version=$KUBERNETES_VERSION"
  for entry in kwok:$KWOK_VERSION kwokctl:$KWOK_VERSION etcd:$etcd_version etcdutl:$etcd_version kube-apiserver:$KUBERNETES_VERSION \
    kube-controller-manager:$KUBERNETES_VERSION kube-scheduler:$KUBERNETES_VERSION kubectl:$KUBERNETES_VERSION \
    helm:$HELM_VERSION talosctl:$TALOS_VERSION; do
    name=${entry%%:*} version=${entry#*:}
    if have "$name" "$version"; then echo "$name=$cache/$name-$version/$name"; fi
  done
} >"$cache/current.env.tmp"
mv "$cache/current.env.tmp" "$cache/current.env"

printf 'peers: %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "peers: failed: ${failed[*]} (the tests that need them report themselves skipped)" >&2
  exit 1
fi
