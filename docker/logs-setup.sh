#!/bin/sh
# The compose `logs` profile's one-shot setup (image curlimages/curl): waits for Elasticsearch,
# sets the kibana_system user's password, then waits for Kibana and imports Vigil's saved objects
# (elasticsearch/kibana/*.ndjson) so Kibana is provisioned from the repository like Grafana.
set -eu
es=http://elasticsearch:9200
kb=http://kibana:5601
until curl -fsS -u "elastic:$ELASTIC_PASSWORD" "$es/_cluster/health?wait_for_status=yellow&timeout=10s" >/dev/null; do
  echo "logs-setup: waiting for Elasticsearch"; sleep 5
done
curl -fsS -u "elastic:$ELASTIC_PASSWORD" -H 'Content-Type: application/json' \
  -X POST "$es/_security/user/kibana_system/_password" -d "{\"password\":\"$KIBANA_SYSTEM_PASSWORD\"}" >/dev/null
echo "logs-setup: kibana_system password set"
until curl -fsS -u "elastic:$ELASTIC_PASSWORD" "$kb/api/status" | grep -q '"level":"available"'; do
  echo "logs-setup: waiting for Kibana"; sleep 5
done
for f in /vigil/kibana/*.ndjson; do
  curl -fsS -u "elastic:$ELASTIC_PASSWORD" -H 'kbn-xsrf: vigil' -X POST "$kb/api/saved_objects/_import?overwrite=true" -F "file=@$f" >/dev/null
  echo "logs-setup: imported $f"
done
