#!/bin/bash
# Installs (or updates) the Spicegate workstation agent on this Debian/Ubuntu/openSUSE workstation. Idempotent:
# run it again after an update, or after turning on strict mode in /etc/spicegate/agent.properties.
#
#   sudo deploy/install.sh [--jar FILE] [--strict]      install or update
#   sudo deploy/install.sh --uninstall                  remove the agent, its rules and its units (keeps config and state)
#
# The agent starts only once /etc/spicegate/agent.properties has a portal.url; until then only the REJECT-only
# base unit is enabled.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar=""
force_strict=false
uninstall=false
while [ "$#" -gt 0 ]; do
    case "$1" in
        --jar) jar=${2:?--jar needs a file}; shift 2 ;;
        --strict) force_strict=true; shift ;;
        --uninstall) uninstall=true; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

LIB=/usr/lib/spicegate
CONF_DIR=/etc/spicegate
CONF=$CONF_DIR/agent.properties
STATE=/var/lib/spicegate
UNITS=/etc/systemd/system
DOC=/usr/share/doc/spicegate-agent
GROUP=spicegrp
have_systemd=false
[ -d /run/systemd/system ] && have_systemd=true

# the value of a key in the config, empty when unset
conf() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CONF" 2>/dev/null | tail -n 1 | tr -d '[:space:]'; }

if $uninstall; then
    if $have_systemd; then
        systemctl disable --now spicegate-agent.service spicegate-agent-base.service spicegate-drift.timer 2>/dev/null || true
    fi
    if [ -f "$LIB/spicegate-agent.jar" ] && [ -f "$CONF" ]; then
        java -jar "$LIB/spicegate-agent.jar" --config "$CONF" --remove
    fi
    rm -f "$UNITS"/spicegate-agent.service "$UNITS"/spicegate-agent-base.service \
          "$UNITS"/spicegate-drift.service "$UNITS"/spicegate-drift.timer \
          /usr/local/bin/spicegate-open "$LIB/spicegate-agent.jar"
    rmdir "$LIB" 2>/dev/null || true
    rm -rf "$DOC"
    $have_systemd && systemctl daemon-reload
    echo "Spicegate agent removed; $CONF and $STATE are kept (delete them by hand if you want)."
    exit 0
fi

if [ -z "$jar" ]; then
    for candidate in "$here/spicegate-agent.jar" "$here/../target/spicegate-agent.jar"; do
        if [ -f "$candidate" ]; then jar=$candidate; break; fi
    done
fi
[ -n "$jar" ] && [ -f "$jar" ] || { echo "install.sh: no spicegate-agent.jar (build it with ./mvnw package, or pass --jar FILE)" >&2; exit 1; }

missing=""
for tool in java iptables-restore ip6tables-restore getent; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing="$missing $tool"
done
[ -z "$missing" ] || { echo "install.sh: missing:$missing (Debian: apt-get install openjdk-17-jre-headless iptables)" >&2; exit 1; }

# the group remote-viewer runs with under strict mode; nobody is a member
getent group "$GROUP" >/dev/null || groupadd --system "$GROUP"

install -D -m 0644 "$jar" "$LIB/spicegate-agent.jar"
install -d -m 0755 "$CONF_DIR"
install -d -m 0700 "$STATE"
if [ ! -f "$CONF" ]; then
    install -m 0600 "$here/agent.properties.example" "$CONF"
    echo "Created $CONF from the example: set portal.url and enrollment.token."
fi
chown root:root "$CONF"
chmod 0600 "$CONF"
install -D -m 0755 "$here/bin/spicegate-open" /usr/local/bin/spicegate-open
install -D -m 0644 "$here/README.md" "$DOC/README.md"
install -D -m 0644 "$here/sudoers/spicegate.example" "$DOC/sudoers.example"

strict=$force_strict
[ "$(conf strict)" = "true" ] && strict=true
viewer=$(conf remote.viewer)
viewer=${viewer:-/usr/bin/remote-viewer}
if $strict; then
    command -v visudo >/dev/null 2>&1 || [ -x /usr/sbin/visudo ] || { echo "install.sh: strict mode needs sudo (apt-get install sudo)" >&2; exit 1; }
    if [ -f "$viewer" ]; then
        # seed strategy 3: nobody but the sudo rule (group spicegrp) may start remote-viewer
        chown root:"$GROUP" "$viewer"
        chmod 0750 "$viewer"
    else
        echo "install.sh: strict mode: $viewer not found; install virt-viewer, then run install.sh again" >&2
    fi
fi

for unit in spicegate-agent.service spicegate-agent-base.service spicegate-drift.service spicegate-drift.timer; do
    install -m 0644 "$here/systemd/$unit" "$UNITS/$unit"
done

if ! $have_systemd; then
    echo "systemd is not running here: units installed in $UNITS, not enabled."
    exit 0
fi
systemctl daemon-reload
systemctl enable spicegate-agent-base.service spicegate-agent.service
systemctl start spicegate-agent-base.service
if $strict; then
    systemctl enable --now spicegate-drift.timer
else
    systemctl disable --now spicegate-drift.timer 2>/dev/null || true
fi
if [ -n "$(conf portal.url)" ] && ! grep -q '^[[:space:]]*portal.url[[:space:]]*=[[:space:]]*https://spicegate.example.org' "$CONF"; then
    systemctl restart spicegate-agent.service
    echo "Spicegate agent (re)started: journalctl -u spicegate-agent -f"
else
    echo "Set portal.url and enrollment.token in $CONF, then: systemctl start spicegate-agent"
fi
