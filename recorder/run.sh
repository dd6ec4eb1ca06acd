#!/usr/bin/env bash
# The recorder's real run: builds the recording proxy, the two sample transport providers, the
# driver and the C store example with Debian's mingw-w64 cross compilers, runs them under Wine in
# a fresh, temporary prefix, and writes the traces:
#
#   OUT/traces/sample-conform.jsonl   the proxy's trace of the session with sample_xp.dll
#   OUT/traces/sample-breach.jsonl    the same session with sample_xp_breach.dll (SUB-34)
#   OUT/traces/sample-cancel.jsonl    the session with sample_xp.dll and the user's cancel
#   OUT/traces/store-example.jsonl    the C example's store-scope trace
#
# Usage: recorder/run.sh [OUT]   (OUT defaults to target/recorder)
# It installs nothing. It fails, with a message that says why, when the compiler or Wine is
# missing, when Wine cannot start, or when a build, a session or a trace fails: it never skips.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:-$here/../target/recorder}" && cd "${1:-$here/../target/recorder}" && pwd)"

die() {
    echo "recorder/run.sh: $*" >&2
    exit 1
}

# ---- tools ----
cxx=x86_64-w64-mingw32-g++
cc=x86_64-w64-mingw32-gcc
command -v "$cxx" >/dev/null || die "the mingw-w64 C++ cross compiler ($cxx) is missing (Debian: apt-get install g++-mingw-w64-x86-64)"
command -v "$cc" >/dev/null || die "the mingw-w64 C cross compiler ($cc) is missing (Debian: apt-get install gcc-mingw-w64-x86-64)"
wine=""
for candidate in "${WINE:-}" wine64 /usr/lib/wine/wine64 wine; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null; then
        wine="$(command -v "$candidate")"
        break
    fi
done
[ -n "$wine" ] || die "Wine is missing (Debian: apt-get install wine64 wine; the launcher is /usr/lib/wine/wine64)"
wineserver="$(dirname "$wine")/wineserver"
[ -x "$wineserver" ] || wineserver="$(command -v wineserver || true)"
[ -n "$wineserver" ] || die "wineserver is missing next to $wine and on PATH"

# ---- build ----
bin="$out/bin"
traces="$out/traces"
mkdir -p "$bin" "$traces"
rm -f "$traces"/*.jsonl
cxxflags=(-std=c++17 -O2 -Wall -Wextra -Werror -static -I"$here/include")
common=("$here/common/guids.cpp")
echo "building with $("$cxx" --version | head -n 1)"
# Each binary is built by its own job; every job must succeed.
jobs=()
build() {
    local what="$1"
    shift
    "$@" >"$out/build-$what.log" 2>&1 &
    jobs+=("$!:$what")
}
build mapi_recorder.dll "$cxx" "${cxxflags[@]}" -shared -o "$bin/mapi_recorder.dll" "$here"/proxy/*.cpp "${common[@]}" "$here/xp.def" -luuid
build sample_xp.dll "$cxx" "${cxxflags[@]}" -shared -o "$bin/sample_xp.dll" "$here/samples/sample_xp.cpp" "${common[@]}" "$here/xp.def" -luuid
build sample_xp_breach.dll "$cxx" "${cxxflags[@]}" -DSAMPLE_BREACH -shared -o "$bin/sample_xp_breach.dll" "$here/samples/sample_xp.cpp" \
    "${common[@]}" "$here/xp.def" -luuid
build driver.exe "$cxx" "${cxxflags[@]}" -o "$bin/driver.exe" "$here/driver/driver.cpp" "${common[@]}" -luuid
build store_example.exe "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -I"$here/include" -o "$bin/store_example.exe" \
    "$here/examples/store_example.c"
failed=""
for job in "${jobs[@]}"; do
    if ! wait "${job%%:*}"; then
        cat "$out/build-${job#*:}.log" >&2
        failed="$failed ${job#*:}"
    fi
done
[ -z "$failed" ] || die "building failed:$failed (the compiler's messages are above)"
echo "built in ${SECONDS}s"

# ---- Wine: a fresh prefix, removed at the end with its wineserver ----
prefix="$(mktemp -d "${TMPDIR:-/tmp}/recorder-wine.XXXXXX")"
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
    "$wineserver" -k >/dev/null 2>&1 || true
    rm -rf "$prefix"
}
trap cleanup EXIT

windows() { echo "Z:${1//\//\\}"; }

echo "starting Wine ($wine) in $prefix"
if ! timeout 300 "$wine" wineboot --init >"$out/wineboot.log" 2>&1; then
    cat "$out/wineboot.log" >&2
    die "Wine cannot start: wineboot --init failed in a fresh prefix"
fi
echo "Wine started (${SECONDS}s)"

# run NAME PROVIDER [cancel]: one session of the driver through the proxy, recording NAME.jsonl.
run() {
    local name="$1" provider="$2"
    shift 2
    echo "session $name: driver -> mapi_recorder.dll -> $provider $*"
    if ! MAPI_RECORDER_PROVIDER="$(windows "$bin/$provider")" MAPI_RECORDER_TRACE="$(windows "$traces/$name.jsonl")" \
        timeout 120 "$wine" "$bin/driver.exe" "$(windows "$bin/mapi_recorder.dll")" "$@" >"$out/$name.log" 2>&1; then
        cat "$out/$name.log" >&2
        die "the session $name failed under Wine (its output is above and in $out/$name.log)"
    fi
    [ -s "$traces/$name.jsonl" ] || die "the session $name ran but wrote no trace ($traces/$name.jsonl)"
    echo "  $(wc -l <"$traces/$name.jsonl") lines in $traces/$name.jsonl"
}

run sample-conform sample_xp.dll
run sample-breach sample_xp_breach.dll
run sample-cancel sample_xp.dll cancel

echo "C example: store_example.exe"
if ! timeout 120 "$wine" "$bin/store_example.exe" "$(windows "$traces/store-example.jsonl")" >"$out/store-example.log" 2>&1; then
    cat "$out/store-example.log" >&2
    die "the C store example failed under Wine"
fi
[ -s "$traces/store-example.jsonl" ] || die "the C store example wrote no trace"
echo "  $(wc -l <"$traces/store-example.jsonl") lines in $traces/store-example.jsonl"

echo "traces written to $traces (${SECONDS}s in all)"
