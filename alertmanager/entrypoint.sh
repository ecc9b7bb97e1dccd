#!/bin/sh
# The compose service's entrypoint: renders the configuration from the environment into the data
# volume, then runs Alertmanager with the arguments given.
set -eu
sh /etc/alertmanager/render.sh /etc/alertmanager/alertmanager.yml /alertmanager/alertmanager.yml
exec /bin/alertmanager --config.file=/alertmanager/alertmanager.yml "$@"
