import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { Mailer, MAILER } from './mailer';
import { OutboxEmail } from './outbox-email.entity';
import { retryAfterFailure } from './outbox-retry';

export interface DrainResult {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Sends queued email. Each message is claimed with SELECT … FOR UPDATE SKIP LOCKED inside
 * its own transaction and the outcome is written in that same transaction, so several
 * workers (or processes) never send one message twice while it is being sent. Delivery is
 * at least once: a crash between the SMTP answer and the commit sends that message again.
 */
@Injectable()
export class OutboxWorker implements OnApplicationShutdown {
  private readonly logger = new Logger(OutboxWorker.name);
  private running: Promise<DrainResult> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MAILER) private readonly mailer: Mailer,
  ) {}

  /**
   * Sends every message that is due, up to `limit`. Tests call it directly; `merchantId`
   * keeps a test to its own merchant's mail when several share one database.
   */
  async drainOnce(options: { limit?: number; merchantId?: string } = {}): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, retrying: 0, failed: 0 };
    for (let i = 0; i < (options.limit ?? 100); i++) {
      const outcome = await this.sendNext(options.merchantId ?? null);
      if (outcome === null) break;
      result[outcome]++;
    }
    return result;
  }

  /** Every 15 seconds in the running app (not in tests, which start without the scheduler). */
  @Interval(15_000)
  async tick(): Promise<void> {
    if (this.running) return; // the previous drain is still going
    this.running = this.drainOnce();
    try {
      await this.running;
    } catch (err) {
      this.logger.warn({ err }, 'draining the email outbox failed');
    } finally {
      this.running = null;
    }
  }

  private sendNext(merchantId: string | null): Promise<keyof DrainResult | null> {
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const claimed: { id: string }[] = await em.query(
        `SELECT id FROM email_outbox
          WHERE status = 'pending' AND next_attempt_at <= $1 AND ($2::text IS NULL OR merchant_id = $2)
          ORDER BY next_attempt_at, created_at
          LIMIT 1
          FOR UPDATE SKIP LOCKED`,
        [now, merchantId],
      );
      if (claimed.length === 0) return null;
      const repo = em.getRepository(OutboxEmail);
      const message = await repo.findOneByOrFail({ id: claimed[0].id });
      message.attempts += 1;
      try {
        const delivery = await this.mailer.send({
          id: message.id,
          from: message.fromAddress,
          to: message.toAddress,
          replyTo: message.replyTo,
          subject: message.subject,
          text: message.textBody,
          html: message.htmlBody,
        });
        const sentAt = this.clock.now();
        await repo.update(
          { id: message.id },
          {
            status: 'sent',
            attempts: message.attempts,
            sentAt,
            deliveryRef: delivery.ref,
            lastError: null,
            updatedAt: sentAt,
          },
        );
        return 'sent';
      } catch (err) {
        const failedAt = this.clock.now();
        const permanent = (err as { permanent?: boolean }).permanent === true;
        const decision = retryAfterFailure(message.attempts, failedAt, permanent);
        const lastError = String((err as Error)?.message ?? err).slice(0, 1000);
        this.logger.warn(
          { outboxId: message.id, kind: message.kind, attempts: message.attempts, err: lastError },
          decision.kind === 'retry' ? 'email not sent; will retry' : 'email not sent; giving up',
        );
        await repo.update(
          { id: message.id },
          decision.kind === 'retry'
            ? {
                attempts: message.attempts,
                lastError,
                nextAttemptAt: decision.at,
                updatedAt: failedAt,
              }
            : { attempts: message.attempts, lastError, status: 'failed', updatedAt: failedAt },
        );
        return decision.kind === 'retry' ? 'retrying' : 'failed';
      }
    });
  }

  onApplicationShutdown(): void {
    this.mailer.close();
  }
}
