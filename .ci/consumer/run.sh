#!/usr/bin/env bash
# The consumer project (issue 18): after the SDK is installed in the local repository
# (`mvn install`), builds .ci/consumer against it (BOM import, dependencyConvergence, the README's
# Quick start compiled) and runs the Quick start twice in one directory: the first run creates
# the keyset, the second opens it. Extra arguments go to Maven (e.g. -Dmaven.repo.local=...).
set -euo pipefail
cd "$(dirname "$0")"

# The SDK's version, from the BOM (its first <version> is its own).
VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' ../../bom/pom.xml | head -1)
rm -rf target
mvn -B -ntp -q -Dstyle.color=never "$@" -Dox.version="$VERSION" compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -DincludeScope=runtime
CP="target/classes:$(cat target/classpath.txt)"

mkdir -p target/run
first=$(java -cp "$CP" com.getox.crypto.examples.QuickStart target/run)
echo "consumer: $first"
second=$(java -cp "$CP" com.getox.crypto.examples.QuickStart target/run)
echo "consumer: $second"
case "$first/$second" in
  *created*/*opened*) echo "consumer: OK (ox-crypto $VERSION through ox-crypto-bom, dependencyConvergence passed)" ;;
  *) echo "consumer: expected a created keyset, then an opened one" >&2; exit 1 ;;
esac
