import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Vigil's own metrics: process, build and config reload state, as Prometheus exposes its own. */
export function createSelfMetrics(version: string): {
  registry: Registry;
  reloaded(success: boolean): void;
} {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  // Gauges that prom-client names with "_total", which promtool rightly flags; the same counts are
  // in nodejs_active_handles / nodejs_active_requests / nodejs_active_resources.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  new Gauge({
    name: 'vigil_build_info',
    help: 'A metric with a constant 1 value labeled by the version and Node.js version Vigil runs on.',
    labelNames: ['version', 'nodejs_version'],
    registers: [registry],
  }).set({ version, nodejs_version: process.version }, 1);
  const successful = new Gauge({
    name: 'vigil_config_last_reload_successful',
    help: 'Whether the last configuration reload attempt was successful.',
    registers: [registry],
  });
  const timestamp = new Gauge({
    name: 'vigil_config_last_reload_success_timestamp_seconds',
    help: 'Timestamp of the last successful configuration reload.',
    registers: [registry],
  });
  successful.set(1);
  timestamp.set(Date.now() / 1000);
  return {
    registry,
    reloaded(success) {
      successful.set(success ? 1 : 0);
      if (success) timestamp.set(Date.now() / 1000);
    },
  };
}
