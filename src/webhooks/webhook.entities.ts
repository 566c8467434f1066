import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintCents } from '../platform/database/bigint.transformer';

/** A merchant's URL that receives events, with its signing secret sealed at rest. */
@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  url!: string;

  /** Event types, or ["*"] for all. */
  @Column({ type: 'text', array: true })
  events!: string[];

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** The signing secret, sealed with the field cipher; never stored or shown in plaintext. */
  @Column({ type: 'text', name: 'secret_sealed' })
  secretSealed!: string;

  /** After a rotation, the old secret also signs until previousSecretExpiresAt. */
  @Column({ type: 'text', name: 'previous_secret_sealed', nullable: true })
  previousSecretSealed!: string | null;

  @Column({ type: 'timestamptz', name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** The first failed attempt since the last delivered one; null while deliveries succeed. */
  @Column({ type: 'timestamptz', name: 'failing_since', nullable: true })
  failingSince!: Date | null;

  /** Why Rebill disabled the endpoint (null when the merchant did, or it is enabled). */
  @Column({ type: 'text', name: 'disabled_reason', nullable: true })
  disabledReason!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export type DeliveryReason = 'event' | 'redeliver' | 'replay';

/** One event to send to one endpoint, retried until delivered or given up. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'endpoint_id' })
  endpointId!: string;

  @Column({ type: 'text', name: 'event_id' })
  eventId!: string;

  @Column({ type: 'bigint', name: 'event_sequence', transformer: bigintCents })
  eventSequence!: number;

  @Column({ type: 'text', name: 'event_type' })
  eventType!: string;

  @Column({ type: 'text', name: 'object_id' })
  objectId!: string;

  @Column({ type: 'text' })
  reason!: DeliveryReason;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  @Column({ type: 'int' })
  attempts!: number;

  @Column({ type: 'timestamptz', name: 'next_attempt_at' })
  nextAttemptAt!: Date;

  /** While a worker is sending it; an expired lease (a crashed worker) lets another take it. */
  @Column({ type: 'timestamptz', name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  @Column({ type: 'timestamptz', name: 'last_attempt_at', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ type: 'int', name: 'last_status_code', nullable: true })
  lastStatusCode!: number | null;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column({ type: 'int', name: 'last_duration_ms', nullable: true })
  lastDurationMs!: number | null;

  @Column({ type: 'timestamptz', name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}

export type AttemptOutcome = 'delivered' | 'retrying' | 'failed';

/** One HTTP request of a delivery. */
@Entity('webhook_attempts')
export class WebhookAttempt {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'delivery_id' })
  deliveryId!: string;

  @Column({ type: 'int' })
  attempt!: number;

  @Column({ type: 'timestamptz', name: 'started_at' })
  startedAt!: Date;

  @Column({ type: 'int', name: 'duration_ms' })
  durationMs!: number;

  @Column({ type: 'int', name: 'status_code', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The first bytes of the response body (read up to a small limit). */
  @Column({ type: 'text', name: 'response_excerpt' })
  responseExcerpt!: string;

  @Column({ type: 'text' })
  outcome!: AttemptOutcome;

  @Column({ type: 'timestamptz', name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;
}
