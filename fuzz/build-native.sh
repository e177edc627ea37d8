#!/bin/sh
# Rebuilds the native part of @jazzer.js/fuzzer for machines whose C library is
# older than the one its prebuilt binary needs (glibc 2.38: Debian 12, Ubuntu 22.04
# fail with "version `GLIBC_2.38' not found"). It compiles Jazzer.js's own C++
# sources against upstream libFuzzer from the system's compiler-rt and puts the
# result where Jazzer.js loads its prebuilt binary (the original is kept as .orig).
#
#   apt-get install g++ libclang-rt-14-dev      # libclang_rt.fuzzer_no_main-x86_64.a
#   git clone --branch v4.0.0 <jazzer.js repository> /tmp/jazzer.js
#   JAZZER_SRC=/tmp/jazzer.js/packages/fuzzer sh fuzz/build-native.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${JAZZER_SRC:?set JAZZER_SRC to packages/fuzzer of a jazzer.js checkout at the installed version}
LIBFUZZER=${LIBFUZZER_A:-$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | sort -V | tail -n 1)}
[ -f "$LIBFUZZER" ] || { echo "libclang_rt.fuzzer_no_main-x86_64.a not found: apt-get install libclang-rt-14-dev, or set LIBFUZZER_A" >&2; exit 1; }
PKG="$HERE/node_modules/@jazzer.js/fuzzer"
[ -d "$PKG" ] || { echo "run npm install in $HERE first" >&2; exit 1; }
WANT=$(node -p "require('$PKG/package.json').version")
HAVE=$(node -p "require('$SRC/package.json').version")
[ "$WANT" = "$HAVE" ] || { echo "sources are jazzer.js $HAVE, installed is $WANT" >&2; exit 1; }
NODE_INC=$(dirname "$(dirname "$(command -v node)")")/include/node
NAPI_INC=$(cd "$HERE" && node -p "require('node-addon-api').include_dir")
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
cp -r "$SRC"/*.cpp "$SRC"/*.h "$SRC"/shared "$BUILD"/
mkdir -p "$BUILD/inc/fuzzer" && cp "$HERE/native/FuzzerDefs.h" "$BUILD/inc/fuzzer/"
# Upstream libFuzzer ignores the fork's "stop" return value: on a finding, print the
# JavaScript error, write the crash file and exit here, as the fork's loop would.
node -e "
const fs = require('fs'); const f = '$BUILD/fuzzing_sync.cpp';
const s = fs.readFileSync(f, 'utf8');
const from = 'gFuzzTarget->deferred.Reject(error.Value());\n    return libfuzzer::RETURN_EXIT;';
if (!s.includes(from)) { console.error('fuzzing_sync.cpp changed: update fuzz/build-native.sh'); process.exit(1); }
fs.writeFileSync(f, s.replace(from, 'std::cerr << \"==\" << (unsigned long)GetPID() << \"== Uncaught Exception: \" << error.Message() << std::endl;\n    { Napi::Value st = error.Value().IsObject() ? error.Value().As<Napi::Object>().Get(\"stack\") : Napi::Value(); if (st.IsString()) std::cerr << st.As<Napi::String>().Utf8Value() << std::endl; }\n    if (libfuzzer::PrintCrashingInput) libfuzzer::PrintCrashingInput();\n    _Exit(libfuzzer::EXIT_ERROR_CODE);'));
"
g++ -std=c++17 -O2 -fPIC -shared -DNAPI_VERSION=4 -DNODE_ADDON_API_DISABLE_DEPRECATED \
  -I"$NODE_INC" -I"$NAPI_INC" -I"$BUILD/inc" \
  "$BUILD"/*.cpp "$BUILD"/shared/*.cpp "$HERE/native/compat.cpp" \
  -Wl,--whole-archive "$LIBFUZZER" -Wl,--no-whole-archive -lpthread \
  -o "$BUILD/fuzzer.node"
OUT="$PKG/prebuilds/fuzzer-linux-x64.node"
[ -f "$OUT.orig" ] || cp "$OUT" "$OUT.orig"
cp "$BUILD/fuzzer.node" "$OUT"
echo "built $OUT from jazzer.js $HAVE sources and $LIBFUZZER"
