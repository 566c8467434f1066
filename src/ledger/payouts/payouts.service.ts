import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccountsService } from '../../accounts/accounts.service';
import { EventLog } from '../../events/event-log';
import { localDateInZone } from '../../billing-calc/calendar';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { newId } from '../../platform/ids/ids';
import { payoutCreated, payoutPaid, payoutReturned } from '../core/posting-rules';
import { postEntries } from '../journal';
import { PayoutRow } from '../ledger.entities';
import { ProcessingPlansService } from '../processing-plans.service';
import { payoutView } from '../views';
import { recordObjectEvents } from '../ledger-events';

interface Payable {
  id: string;
  source_type: string;
  amount: string;
}

/** What a payout run did. */
export interface PayoutRunResult {
  paid: number;
  created: number;
}

/**
 * Payouts (docs/ledger.md, "Payouts"): once a day per merchant (in its time zone), the
 * settled, available ledger transactions not yet paid out are paid out together; the
 * sandbox bank confirms a payout on the next run, or rejects it (`returnPayout`), which
 * gives the money back to the balance for the next payout.
 */
@Injectable()
export class PayoutsService {
  private readonly logger = new Logger(PayoutsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: ProcessingPlansService,
    private readonly accounts: AccountsService,
    private readonly eventLog: EventLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The daily run (of one merchant, or all): confirms the payouts of earlier days, then
   * pays out each merchant's available money once per local day. Safe to run any number
   * of times: one payout per merchant, currency and day (a unique constraint).
   */
  async run(merchantId: string | null = null): Promise<PayoutRunResult> {
    const now = this.clock.now();
    const paid = await this.confirmEarlierPayouts(now, merchantId);
    const groups: { merchant_id: string; currency: string }[] = await this.dataSource.query(
      `SELECT DISTINCT merchant_id, currency FROM ledger_transactions
        WHERE payout_id IS NULL AND settlement_status = 'settled' AND payable
          AND ($1::text IS NULL OR merchant_id = $1)`,
      [merchantId],
    );
    const merchants = [...new Set(groups.map((g) => g.merchant_id))];
    const [plans, zones] = await Promise.all([
      this.plans.plansOf(this.dataSource.manager, merchants),
      this.accounts.timeZonesOf(merchants),
    ]);
    let created = 0;
    for (const g of groups) {
      const plan = plans.get(g.merchant_id)!;
      if (plan.bank_processing_plan_settings.payout_schedule !== 'daily') continue;
      const day = localDateInZone(now, zones.get(g.merchant_id) ?? 'UTC');
      if (await this.createPayout(g.merchant_id, g.currency, day, plan.fees.payout_batch, now))
        created++;
    }
    return { paid, created };
  }

  @Cron(CronExpression.EVERY_HOUR)
  async runOnSchedule(): Promise<void> {
    try {
      const r = await this.run(null);
      if (r.created + r.paid > 0) this.logger.log(r, 'payout run');
    } catch (err) {
      this.logger.error({ err }, 'payout run failed');
    }
  }

  /** The sandbox bank rejects a payout in transit: its money returns to the balance. */
  async returnPayout(merchantId: string, id: string, reason: unknown): Promise<PayoutRow> {
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 200)) {
      throw new ValidationError('reason', 'must be a text of at most 200 characters');
    }
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const p = await em
        .getRepository(PayoutRow)
        .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
      if (!p) throw new NotFoundError('payout', id);
      if (p.status !== 'created') {
        throw new ConflictError(
          `payout ${id} is ${p.status}: only a payout in transit can be returned`,
        );
      }
      const plan = (await this.plans.plansOf(em, [merchantId])).get(merchantId)!;
      const rejectFee = Math.min(plan.fees.payout_reject, p.amount);
      await postEntries(
        em,
        now,
        payoutReturned({ payoutId: p.id, amount: p.amount, batchFee: p.batchFee, rejectFee }).map(
          (e) => ({
            ...e,
            merchantId,
            currency: p.currency,
          }),
        ),
      );
      // The returned transactions are paid out again with the next payout.
      await em.query(
        `UPDATE ledger_transactions SET payout_id = NULL, updated_at = $3 WHERE merchant_id = $1 AND payout_id = $2`,
        [merchantId, p.id, now],
      );
      Object.assign(p, {
        status: 'returned',
        rejectFee,
        returnedAt: now,
        updatedAt: now,
        paymentRejectCount: p.paymentRejectCount + 1,
        paymentData: [
          ...p.paymentData,
          {
            attempt: p.paymentAttemptCount,
            status: 'returned',
            at: now.toISOString(),
            reason: (reason as string | undefined) ?? 'rejected by the bank',
          },
        ],
      });
      await em.save(p);
      await this.recordEvents(em, 'payout.returned', [p.id]);
      return p;
    });
  }

  async get(merchantId: string, id: string): Promise<PayoutRow> {
    const p = await this.dataSource.getRepository(PayoutRow).findOneBy({ merchantId, id });
    if (!p) throw new NotFoundError('payout', id);
    return p;
  }

  /** Events carry the payout as GET /v1/payouts/{id} shows it, read inside the transaction. */
  private async recordEvents(
    em: EntityManager,
    type: string,
    ids: readonly string[],
  ): Promise<void> {
    if (ids.length === 0) return;
    const rows = await em.getRepository(PayoutRow).findBy({ id: In([...ids]) });
    await recordObjectEvents(this.eventLog, em, type, 'payout', rows, payoutView);
  }

  private async confirmEarlierPayouts(now: Date, merchantId: string | null): Promise<number> {
    const pending: { id: string; merchant_id: string; payout_date: string }[] =
      await this.dataSource.query(
        `SELECT id, merchant_id, to_char(payout_date, 'YYYY-MM-DD') AS payout_date FROM payouts
        WHERE status = 'created' AND ($1::text IS NULL OR merchant_id = $1)`,
        [merchantId],
      );
    if (pending.length === 0) return 0;
    const zones = await this.accounts.timeZonesOf([...new Set(pending.map((p) => p.merchant_id))]);
    // The sandbox bank pays a payout on the day after it was sent (merchant's calendar).
    const due = pending.filter(
      (p) => p.payout_date < localDateInZone(now, zones.get(p.merchant_id) ?? 'UTC'),
    );
    if (due.length === 0) return 0;
    return this.dataSource.transaction(async (em) => {
      const rows: {
        id: string;
        merchant_id: string;
        currency: string;
        net_amount: string;
        payment_attempt_count: number;
      }[] = (
        await em.query(
          `UPDATE payouts SET status = 'paid', completed_at = $2, settled_at = $2, updated_at = $2,
                  payment_data = payment_data || jsonb_build_array(jsonb_build_object(
                    'attempt', payment_attempt_count, 'status', 'paid', 'at', $3::text, 'reason', null))
            WHERE id = ANY($1::text[]) AND status = 'created'
            RETURNING id, merchant_id, currency, net_amount, payment_attempt_count`,
          [due.map((p) => p.id), now, now.toISOString()],
        )
      )[0];
      await postEntries(
        em,
        now,
        rows.flatMap((r) =>
          payoutPaid({ netAmount: Number(r.net_amount) }).map((e) => ({
            ...e,
            merchantId: r.merchant_id,
            currency: r.currency,
          })),
        ),
      );
      await this.recordEvents(
        em,
        'payout.paid',
        rows.map((r) => r.id),
      );
      return rows.length;
    });
  }

  private async createPayout(
    merchantId: string,
    currency: string,
    day: string,
    batchFeePlan: number,
    now: Date,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      // One payout run per merchant at a time; a second waits, then finds nothing left.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('payout:' || $1))`, [merchantId]);
      const exists: unknown[] = await em.query(
        `SELECT 1 FROM payouts WHERE merchant_id = $1 AND currency = $2 AND payout_date = $3`,
        [merchantId, currency, day],
      );
      if (exists.length > 0) return false;
      const payable: Payable[] = await em.query(
        `SELECT id, source_type, amount FROM ledger_transactions
          WHERE merchant_id = $1 AND currency = $2 AND payout_id IS NULL AND settlement_status = 'settled' AND payable
          FOR UPDATE`,
        [merchantId, currency],
      );
      const amount = payable.reduce((s, t) => s + Number(t.amount), 0);
      // A zero or negative balance is carried to the next day (nothing to pay out).
      if (amount <= 0) return false;
      const summary = new Map<string, { source_type: string; count: number; amount: number }>();
      for (const t of payable) {
        const s = summary.get(t.source_type) ?? { source_type: t.source_type, count: 0, amount: 0 };
        s.count++;
        s.amount += Number(t.amount);
        summary.set(t.source_type, s);
      }
      const feeAmount = -(
        (summary.get('fee')?.amount ?? 0) + (summary.get('fee_refund')?.amount ?? 0)
      );
      const batchFee = Math.min(batchFeePlan, amount);
      const id = newId();
      const numbers: { n: number }[] = await em.query(
        `SELECT coalesce(max(payout_number), 0) + 1 AS n FROM payouts WHERE merchant_id = $1`,
        [merchantId],
      );
      await em.query(
        `INSERT INTO payouts (id, merchant_id, currency, payout_number, payout_date, status, amount, net_amount, fee_amount,
                              batch_fee, reject_fee, transaction_count, transaction_summary, payment_data,
                              payment_attempt_count, payment_reject_count, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'created', $6, $7, $8, $9, 0, $10, $11, $12, 1, 0, $13, $13)`,
        [
          id,
          merchantId,
          currency,
          numbers[0].n,
          day,
          amount,
          amount - batchFee,
          Math.max(0, feeAmount),
          batchFee,
          payable.length,
          JSON.stringify(
            [...summary.values()].sort((a, b) => a.source_type.localeCompare(b.source_type)),
          ),
          JSON.stringify([{ attempt: 1, status: 'sent', at: now.toISOString(), reason: null }]),
          now,
        ],
      );
      await em.query(
        `UPDATE ledger_transactions SET payout_id = $2, updated_at = $3 WHERE id = ANY($1::text[])`,
        [payable.map((t) => t.id), id, now],
      );
      await postEntries(
        em,
        now,
        payoutCreated({ payoutId: id, amount, batchFee }).map((e) => ({
          ...e,
          merchantId,
          currency,
        })),
      );
      await this.recordEvents(em, 'payout.created', [id]);
      return true;
    });
  }
}
