/**
 * The datasources the boards use: provisioned with these uids (grafana/provisioning/datasources/),
 * and chosen on each board through a datasource variable, so a board also works against another
 * Prometheus or Elasticsearch of the same kind.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

export const PROMETHEUS_UID = 'vigil-prometheus';
export const ELASTICSEARCH_UID = 'vigil-elasticsearch';
export const ALERTMANAGER_UID = 'vigil-alertmanager';

/** The name of every board's Prometheus datasource variable. */
export const PROM_VAR = 'datasource';
/** The name of the Elasticsearch datasource variable (boards that read logs). */
export const LOGS_VAR = 'logs';

export const PROM: dashboard.DataSourceRef = { type: 'prometheus', uid: `\${${PROM_VAR}}` };
export const LOGS: dashboard.DataSourceRef = { type: 'elasticsearch', uid: `\${${LOGS_VAR}}` };

/** The data streams Vigil's records land in (see shipper/bulk-sender.ts dataStreamName). */
export const LOGS_INDEX = 'logs-vigil.*';
