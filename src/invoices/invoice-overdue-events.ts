import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { Invoice } from './invoice.entity';
import { InvoicesService } from './invoices.service';

const BATCH = 100;

/**
 * Records `invoice.overdue` once per due date for every open invoice past it, whatever its
 * send_via (overdue is derived from the clock, so no change of the row announces it). Rows
 * are claimed with FOR UPDATE SKIP LOCKED, so several processes can sweep at once; a new due
 * date (an edit) makes the invoice eligible again.
 */
@Injectable()
export class InvoiceOverdueEvents {
  private readonly logger = new Logger(InvoiceOverdueEvents.name);
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly invoices: InvoicesService,
  ) {}

  /** One sweep; returns how many events were recorded. `merchantId` limits it (tests). */
  async runOnce(options: { merchantId?: string } = {}): Promise<number> {
    let recorded = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (em) => {
        const now = this.clock.now();
        const rows: { id: string }[] = await em.query(
          `SELECT id FROM invoices
            WHERE overdue_event_at IS NULL AND status IN ('pending', 'partially_paid')
              AND deleted_at IS NULL AND date_due < $1 AND ($2::text IS NULL OR merchant_id = $2)
            ORDER BY date_due, id
            LIMIT ${BATCH}
            FOR UPDATE SKIP LOCKED`,
          [now, options.merchantId ?? null],
        );
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.id);
        const invoices = await em
          .getRepository(Invoice)
          .createQueryBuilder('i')
          .where('i.id = ANY(:ids)', { ids })
          .orderBy('i.date_due')
          .addOrderBy('i.id')
          .getMany();
        for (const invoice of invoices) {
          await this.invoices.recordEvent(em, invoice, 'invoice.overdue');
        }
        await em.query(`UPDATE invoices SET overdue_event_at = $2 WHERE id = ANY($1)`, [ids, now]);
        return rows.length;
      });
      recorded += count;
      if (count < BATCH) return recorded;
    }
  }

  @Interval(10 * 60 * 1000)
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.runOnce();
    } catch (err) {
      this.logger.warn({ err }, 'invoice overdue sweep failed');
    } finally {
      this.running = false;
    }
  }
}
