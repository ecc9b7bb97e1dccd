#!/bin/sh
# docker-compose.scale.yml's Prometheus entrypoint: prometheus.yml with remote-write.yml appended,
# written into the data volume beside links to the rules and targets (relative paths resolve
# from the config file's folder), then Prometheus with the arguments given.
set -eu
d=/prometheus/config
mkdir -p "$d"
ln -sfn /etc/prometheus/rules "$d/rules"
ln -sfn /etc/prometheus/targets "$d/targets"
cat /etc/prometheus/prometheus.yml /etc/prometheus/remote-write.yml > "$d/prometheus.yml"
exec /bin/prometheus --config.file="$d/prometheus.yml" "$@"
