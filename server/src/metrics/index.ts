/** Prometheus metrics and the health endpoint of the sidecar. */
export { createSidecarMetrics, LATENCY_BUCKETS, type SidecarMetrics, type HealthReport } from './sidecar-metrics.js';
export { startMetricsServer, type MetricsServer } from './metrics-server.js';
export { scimOperationOf } from './operation.js';
export { Counter, Gauge, Histogram, Registry, PROMETHEUS_CONTENT_TYPE } from './registry.js';
