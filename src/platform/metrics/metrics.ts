import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics served at /metrics. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDuration = new Histogram({
  name: 'rebill_http_request_duration_seconds',
  help: 'HTTP request duration by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const billingChargesTotal = new Counter({
  name: 'rebill_billing_charges_total',
  help: 'Charges attempted by the billing run, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const billingDueSubscriptions = new Gauge({
  name: 'rebill_billing_due_subscriptions',
  help: 'Subscriptions due when the last billing run started (the run’s own definition of due)',
  registers: [metricsRegistry],
});
