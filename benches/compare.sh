#!/usr/bin/env bash
# sfjwt against its peers, one run, side by side, with ratios (lower is better for us):
#   1. RSA-2048 sign: our default signer and sfjwt-aws-lc vs `openssl speed rsa2048`;
#   2. the same vs PyJWT (key pre-loaded, and key passed as a PEM string on every call as the
#      popular Salesforce gist does);
#   3. assertion build+sign vs the raw blinded `rsa` sign, and key load, against the targets;
#   4. `sfjwt token` whole-process wall time and peak RSS vs a gist-style Python client
#      (PyJWT + requests), both against the same local emulator (built here):
#      a login on every call (--no-cache), the first call with an empty token cache, and a
#      cached call; plus the binary's size and `sfjwt --version` startup. With
#      SFJWT_BASELINE=/path/to/an/older/sfjwt the same rows for that build, side by side.
# Installs what it needs (apt: openssl, time, hyperfine; PyPI: pyjwt, cryptography, requests into a venv
# under $XDG_CACHE_HOME or ~/.cache). Tunables: SECS (default 3) per timed case, RUNS (default
# 20) end-to-end runs timed by hyperfine (the median is reported; peak RSS is that of one more
# run), SKIP_SIGN=1
# (whole-process section only), SFJWT_BASELINE (an older sfjwt binary to compare with).
# The token cache of these runs lives in a temporary XDG_CACHE_HOME, never the user's.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-3}
RUNS=${RUNS:-20}
KEY=testdata/keys/rsa2048.pkcs8.pem
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/sfjwt-bench
export CARGO_TERM_QUIET=true
REL=${CARGO_TARGET_DIR:-target}/release

apt_install() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing $2 (apt)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >/dev/null
  fi
  command -v "$1" >/dev/null 2>&1 || { echo "compare.sh: $1 is required" >&2; exit 1; }
}
apt_install openssl openssl
[ -x /usr/bin/time ] || { apt_install time time; }
apt_install hyperfine hyperfine

venv="$CACHE/venv"
if ! "$venv/bin/python" -c 'import jwt, cryptography, requests' 2>/dev/null; then
  echo "creating $venv (pip install pyjwt cryptography requests)" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q pyjwt cryptography requests >&2
fi
PY="$venv/bin/python"

echo "building release binaries (sign_timing, emulator, sfjwt)..." >&2
[ -n "${SKIP_SIGN:-}" ] || cargo build --release -p sfjwt-benches --bin sign_timing >&2
cargo build --release -p sfjwt-emulator --example serve >&2
cargo build --release -p sfjwt-cli >&2

results=$(mktemp)
trap 'rm -f "$results"; [ -n "${emu_pid:-}" ] && kill "$emu_pid" 2>/dev/null || true' EXIT

# SKIP_SIGN=1: only the whole-process section (4), e.g. to re-measure the CLI alone.
if [ -z "${SKIP_SIGN:-}" ]; then
echo "timing our signers (${SECS}s per case)..." >&2
"$REL"/sign_timing "$SECS" >> "$results"
echo "timing openssl speed -seconds $SECS rsa2048..." >&2
openssl speed -seconds "$SECS" -mr rsa2048 2>/dev/null |
  awk -F: '/^\+F2:/ { printf "openssl-sign-2048 %.4f\n", 1000 / $4 }' >> "$results"
echo "timing PyJWT (${SECS}s per case)..." >&2
"$PY" benches/pyjwt_sign.py "$KEY" "$SECS" >> "$results"
fi

get() { awk -v k="$1" '$1 == k { print $2 }' "$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.3f", a / b }'; }
row() { # label ours peer target
  local r; r=$(ratio "$2" "$3")
  printf '| %-52s | %10s | %10s | %6s | %-10s |\n' "$1" "$2" "$3" "$r" "$4"
}

if [ -z "${SKIP_SIGN:-}" ]; then
echo
echo "## RSA-2048 signing, ms per operation (lower is better)"
echo
printf '| %-52s | %10s | %10s | %6s | %-10s |\n' "ours vs peer" "ours" "peer" "ratio" "target"
echo "|------------------------------------------------------|-----------:|-----------:|-------:|------------|"
row "sfjwt default sign vs openssl speed" "$(get default-sign-2048)" "$(get openssl-sign-2048)" ""
row "sfjwt-aws-lc sign vs openssl speed" "$(get aws-lc-sign-2048)" "$(get openssl-sign-2048)" "<= 1.10"
row "sfjwt default sign vs PyJWT (key pre-loaded)" "$(get default-sign-2048)" "$(get pyjwt-preloaded-sign-2048)" ""
row "sfjwt-aws-lc sign vs PyJWT (key pre-loaded)" "$(get aws-lc-sign-2048)" "$(get pyjwt-preloaded-sign-2048)" ""
row "sfjwt default build+sign vs PyJWT (PEM each call)" "$(get default-build+sign-2048)" "$(get pyjwt-pem-each-call-sign-2048)" ""
row "sfjwt-aws-lc build+sign vs PyJWT (PEM each call)" "$(get aws-lc-build+sign-2048)" "$(get pyjwt-pem-each-call-sign-2048)" ""
row "sfjwt default build+sign vs raw blinded rsa sign" "$(get default-build+sign-2048)" "$(get raw-rsa-blinded-sign-2048)" "<= 1.05"
row "sfjwt default sign vs raw blinded rsa sign" "$(get default-sign-2048)" "$(get raw-rsa-blinded-sign-2048)" ""
row "key load, PKCS#8 PEM 2048 (ms; target 0.100)" "$(get default-key-load-pkcs8-pem-2048)" "0.100" "<= 1.00"
fi

echo
echo "## One token, whole process: sfjwt token vs gist-style Python client (PyJWT + requests)"
echo
log=$(mktemp)
"$REL"/examples/serve > "$log" 2>&1 &
emu_pid=$!
for _ in $(seq 50); do grep -q '^token endpoint:' "$log" && break; sleep 0.1; done
token_url=$(awk '/^token endpoint:/ { print $3 }' "$log")
base_url=$(awk '/listening on/ { print $NF }' "$log")
rm -f "$log"
[ -n "$token_url" ] || { echo "the emulator did not start" >&2; exit 1; }

measure() { # command... -> prints "median_wall_seconds max_rss_kib"
  # Wall time: hyperfine without a shell (-N), so a ~2 ms process is not timed together with
  # a subshell, GNU time and two `date` processes (that harness cost 4-5 ms per run, more than
  # a cached `sfjwt token` itself). Peak RSS: one more run under GNU time. BEFORE_EACH is an
  # untimed set-up command run before every timed run (e.g. emptying the token cache).
  local json out rss
  json=$(mktemp)
  hyperfine -N --style none --warmup 2 --runs "$RUNS" ${BEFORE_EACH:+--prepare "$BEFORE_EACH"} \
    --export-json "$json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1 ||
    { echo "failed: $*" >&2; rm -f "$json"; return 1; }
  [ -z "${BEFORE_EACH:-}" ] || $BEFORE_EACH
  out=$( { /usr/bin/time -v "$@" >/dev/null; } 2>&1 ) || { echo "failed: $* : $out" >&2; return 1; }
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' <<<"$out")
  "$PY" -c 'import json, sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"], sys.argv[2])' "$json" "$rss"
  rm -f "$json"
}

read -r py_wall py_rss < <(measure "$PY" benches/python_client.py "$token_url" 3MVG9_example etl@acme.com "$KEY" https://login.salesforce.com)
echo "python client: median wall ${py_wall}s, peak RSS ${py_rss} KiB over $RUNS runs"
if [ -x "$REL"/sfjwt ]; then
  # The CLI's flags; override with SFJWT_TOKEN_ARGS if they differ.
  read -r -a args <<<"${SFJWT_TOKEN_ARGS:-token --login-url $base_url --client-id 3MVG9_example --username etl@acme.com --key-file $KEY}"
  bench_cache=$(mktemp -d)
  export XDG_CACHE_HOME="$bench_cache" # never the user's cache
  read -r rs_wall rs_rss < <(measure "$REL"/sfjwt "${args[@]}" --no-cache)
  read -r first_wall first_rss < <(BEFORE_EACH="rm -rf $bench_cache/sfjwt" measure "$REL"/sfjwt "${args[@]}")
  "$REL"/sfjwt "${args[@]}" >/dev/null # fill the cache
  read -r hit_wall hit_rss < <(measure "$REL"/sfjwt "${args[@]}")
  rm -rf "$bench_cache"
  echo
  printf '| %-52s | %10s | %10s | %6s | %-10s |\n' "sfjwt token vs python client" "sfjwt" "python" "ratio" "target"
  echo "|------------------------------------------------------|-----------:|-----------:|-------:|------------|"
  row "wall time, login every call (--no-cache), s" "$rs_wall" "$py_wall" "<= 0.05"
  row "wall time, first call, empty token cache, s" "$first_wall" "$py_wall" "<= 0.05"
  row "wall time, cached call, s" "$hit_wall" "$py_wall" "<= 0.02"
  row "peak RSS, login (KiB)" "$rs_rss" "$py_rss" "<= 0.25"
  row "peak RSS, cached call (KiB)" "$hit_rss" "$py_rss" ""
  if [ -n "${SFJWT_BASELINE:-}" ]; then
    # An older build has no cache: every call logs in.
    read -r -a base_args <<<"${SFJWT_BASELINE_ARGS:-token --login-url $base_url --client-id 3MVG9_example --username etl@acme.com --key-file $KEY}"
    read -r base_wall base_rss < <(measure "$SFJWT_BASELINE" "${base_args[@]}")
    row "login every call: this build vs baseline, s" "$rs_wall" "$base_wall" "~ 1.00"
    row "first call, empty cache vs baseline login, s" "$first_wall" "$base_wall" "~ 1.00"
  fi

  echo
  echo "## The binary: size and \`sfjwt --version\` startup (median of $RUNS)"
  echo
  printf '| %-52s | %10s | %10s |\n' "build" "size (MB)" "start (ms)"
  echo "|------------------------------------------------------|-----------:|-----------:|"
  for bin in "$REL"/sfjwt ${SFJWT_BASELINE:-}; do
    read -r v_wall _ < <(measure "$bin" --version)
    printf '| %-52s | %10s | %10s |\n' "$bin" \
      "$(awk -v b="$(stat -c %s "$bin")" 'BEGIN { printf "%.1f", b / 1e6 }')" \
      "$(awk -v s="$v_wall" 'BEGIN { printf "%.1f", s * 1000 }')"
  done
else
  echo "skipped: sfjwt CLI not built (cargo build --release -p sfjwt-cli, then rerun)"
fi
echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); $(rustc --version); $(openssl version | cut -d' ' -f1-2); PyJWT $("$PY" -c 'import jwt; print(jwt.__version__)')"
