/** Prometheus metrics and the health endpoint of the sidecar. */
export { createSidecarMetrics } from './sidecar-metrics.js';
export { startMetricsServer, type MetricsServer } from './metrics-server.js';
export { scimOperationOf } from './operation.js';
export { Counter, Gauge, Histogram, Registry } from './registry.js';
