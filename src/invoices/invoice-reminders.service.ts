import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { Invoice } from './invoice.entity';
import { InvoiceEmails } from './invoice-emails';

/** How long before the due date the reminder goes out. */
export const REMINDER_LEAD_MS = 3 * 24 * 60 * 60 * 1000;
const BATCH = 100;

/**
 * Queues the reminder before the due date and the overdue notice after it, once each per
 * invoice, for open invoices whose send_via asks for email. Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so several processes can sweep at once.
 */
@Injectable()
export class InvoiceReminders {
  private readonly logger = new Logger(InvoiceReminders.name);
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly emails: InvoiceEmails,
  ) {}

  /**
   * One sweep; returns how many reminders and overdue notices were queued. `merchantId`
   * limits it to one merchant (tests sharing a database).
   */
  async runOnce(
    options: { merchantId?: string } = {},
  ): Promise<{ reminders: number; overdueNotices: number }> {
    const merchantId = options.merchantId ?? null;
    const reminders = await this.sweep('reminder', merchantId);
    const overdueNotices = await this.sweep('overdue', merchantId);
    return { reminders, overdueNotices };
  }

  @Interval(10 * 60 * 1000)
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.runOnce();
    } catch (err) {
      this.logger.warn({ err }, 'invoice reminder sweep failed');
    } finally {
      this.running = false;
    }
  }

  private async sweep(kind: 'reminder' | 'overdue', merchantId: string | null): Promise<number> {
    let queued = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (em) => {
        const now = this.clock.now();
        const due =
          kind === 'reminder'
            ? `reminder_sent_at IS NULL AND date_due > $2 AND date_due <= $3`
            : `overdue_notice_sent_at IS NULL AND overdue_at <= $2`;
        const params =
          kind === 'reminder'
            ? [merchantId, now, new Date(now.getTime() + REMINDER_LEAD_MS)]
            : [merchantId, now];
        const rows: { id: string }[] = await em.query(
          `SELECT id FROM invoices
            WHERE status IN ('pending', 'partially_paid') AND deleted_at IS NULL
              AND send_via IN ('email', 'both') AND ($1::text IS NULL OR merchant_id = $1) AND ${due}
            ORDER BY date_due
            LIMIT ${BATCH}
            FOR UPDATE SKIP LOCKED`,
          params,
        );
        for (const { id } of rows) {
          const invoice = await em.getRepository(Invoice).findOneByOrFail({ id });
          // NOTE: an invoice created inside the reminder window was just sent; a reminder
          // days earlier than planned would only repeat it, so it is marked done unsent.
          if (
            kind === 'reminder' &&
            invoice.dateDue.getTime() - invoice.createdAt.getTime() <= REMINDER_LEAD_MS
          ) {
            await em.getRepository(Invoice).update({ id }, { reminderSentAt: now });
            continue;
          }
          await this.emails.enqueue(
            em,
            kind === 'reminder' ? 'invoice_reminder' : 'invoice_overdue',
            invoice,
          );
          await em
            .getRepository(Invoice)
            .update(
              { id },
              kind === 'reminder' ? { reminderSentAt: now } : { overdueNoticeSentAt: now },
            );
          queued++;
        }
        return rows.length;
      });
      if (count < BATCH) return queued;
    }
  }
}
