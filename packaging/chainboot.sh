#!/bin/sh
# /usr/bin/chainboot (packages): runs /usr/share/chainboot/chainboot.jar on Java 21 or newer.
# CHAINBOOT_JAVA names the java to use; CHAINBOOT_JAVA_OPTS adds JVM options. Without
# CHAINBOOT_CONFIG, the CLI reads /etc/chainboot/chainboot.yaml, as the service does.
jar=/usr/share/chainboot/chainboot.jar
if [ -z "${CHAINBOOT_CONFIG+set}" ] && [ -r /etc/chainboot/chainboot.yaml ]; then
  CHAINBOOT_CONFIG=/etc/chainboot/chainboot.yaml
  export CHAINBOOT_CONFIG
fi
for java in "${CHAINBOOT_JAVA:-}" /usr/lib/jvm/java-21-openjdk*/bin/java \
    /usr/lib/jvm/jre-21*/bin/java /usr/lib/jvm/java-25-openjdk*/bin/java \
    /usr/lib/jvm/jre-25*/bin/java /usr/bin/java; do
  if [ -n "$java" ] && [ -x "$java" ]; then
    # shellcheck disable=SC2086
    exec "$java" ${CHAINBOOT_JAVA_OPTS:-} -Xlog:disable -Xlog:all=warning:stderr \
      --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"
  fi
done
echo "chainboot: no Java 21 or newer found (install openjdk-21-jre-headless, or set CHAINBOOT_JAVA)" >&2
exit 1
