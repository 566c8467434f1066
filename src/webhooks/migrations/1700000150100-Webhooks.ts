import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1700000150100 implements MigrationInterface {
  name = 'Webhooks1700000150100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[] NOT NULL,
        description text NOT NULL DEFAULT '',
        enabled boolean NOT NULL,
        secret_sealed text NOT NULL,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        disabled_reason text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_merchant_idx ON webhook_endpoints (merchant_id)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_id text NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        event_sequence bigint NOT NULL,
        event_type text NOT NULL,
        object_id text NOT NULL,
        reason text NOT NULL CHECK (reason IN ('event', 'redeliver', 'replay')),
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_attempt_at timestamptz,
        last_status_code int,
        last_error text,
        last_duration_ms int,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    // The worker's claim: due pending deliveries.
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    // Ordering: is an earlier delivery of the same object to the same endpoint still pending?
    await q.query(
      `CREATE INDEX webhook_deliveries_object_order_idx ON webhook_deliveries (endpoint_id, object_id, event_sequence) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at)`,
    );
    await q.query(`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id)`);
    await q.query(`
      CREATE TABLE webhook_attempts (
        id text PRIMARY KEY,
        delivery_id text NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        attempt int NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms int NOT NULL,
        status_code int,
        error text,
        response_excerpt text NOT NULL DEFAULT '',
        outcome text NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'failed')),
        next_attempt_at timestamptz,
        UNIQUE (delivery_id, attempt)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
  }
}
