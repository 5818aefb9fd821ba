#!/usr/bin/env bash
# The dlm command: finds JDK 25, builds dlm on first use, runs the CLI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
find_jdk() {
  for c in "${DLM_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -n "$c" ] && [ -x "$c/bin/java" ]; then
      v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
      if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
    fi
  done
  return 1
}
JAVA_HOME=$(find_jdk) || { echo "dlm: JDK 25 not found; install Temurin 25 or set DLM_JAVA_HOME" >&2; exit 2; }
export JAVA_HOME
jar="$root/cli/target/dlm-cli.jar"
stamp="$root/cli/target/.built"
newest=$(find "$root" -path '*/src/main/*' -newer "$stamp" -print -quit 2>/dev/null || true)
if [ ! -f "$jar" ] || [ ! -f "$stamp" ] || [ -n "$newest" ] || [ "$root/pom.xml" -nt "$stamp" ]; then
  offline=""; [ -d "$HOME/.m2/repository/org/antlr/antlr4-runtime" ] && offline="-o"
  echo "dlm: building (first use)..." >&2
  if ! (cd "$root" && mvn -q $offline -DskipTests -pl cli -am package >"$root/cli/build.log" 2>&1 || { [ -n "$offline" ] && mvn -q -DskipTests -pl cli -am package >"$root/cli/build.log" 2>&1; }); then
    echo "dlm: build failed, see cli/build.log" >&2; tail -30 "$root/cli/build.log" >&2; exit 2
  fi
  touch "$stamp"
fi
# The JVM announces the incubator module on stderr at every start. A user's mistake should be
# the one line there, so that first notice is dropped; everything else passes through as is.
drop_incubator_notice() {
  local first=""
  if IFS= read -r first; then
    [ "$first" = "WARNING: Using incubator modules: jdk.incubator.vector" ] || printf '%s\n' "$first"
  else
    printf '%s' "$first"
  fi
  cat
}
# DLM_JAVA_OPTS passes JVM options, e.g. -Ddlm.dumpBytecode=DIR or -Ddlm.threads=1.
# stdout goes straight to fd 3 (the caller's stdout); stderr through the filter. With pipefail,
# the exit status is the JVM's.
{ "$JAVA_HOME/bin/java" ${DLM_JAVA_OPTS:-} -Ddlm.home="$root" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xss16m -jar "$jar" "$@" 2>&1 1>&3 3>&- | drop_incubator_notice >&2; } 3>&1
