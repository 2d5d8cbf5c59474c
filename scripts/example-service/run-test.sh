#!/usr/bin/env bash
# Installs the Quantize4J library jar into the local Maven repository (~/.m2), then runs the example service's
# test, which uses the library only through that installed artifact.
#   scripts/example-service/run-test.sh          # as CI runs it
#   scripts/example-service/run-test.sh -o       # extra Maven options go to both builds (here: offline)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The project version (the first <version> of the root pom, right after its artifactId).
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)"
[ -n "$version" ] || { echo "run-test.sh: cannot read the project version from $root/pom.xml" >&2; exit 1; }
echo "example-service: installing org.quantize4j:quantize4j:$version" >&2
(cd "$root" && mvn -q -B "$@" install -DskipTests)
echo "example-service: running its test against the installed jar" >&2
(cd "$here" && mvn -q -B "$@" test -Dquantize4j.version="$version")
