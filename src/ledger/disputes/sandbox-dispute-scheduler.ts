import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SANDBOX_DISPUTE_AFTER_DAYS, sandboxDisputeReason } from '../core/sandbox-disputes';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Remembers the settled payments the sandbox network will dispute (a dispute test amount),
 * SANDBOX_DISPUTE_AFTER_DAYS after settlement; DisputesService.raiseDue raises them.
 */
@Injectable()
export class SandboxDisputeScheduler {
  async scheduleFor(
    em: EntityManager,
    now: Date,
    payments: readonly {
      merchantId: string;
      paymentId: string;
      currency: string;
      amount: number;
    }[],
  ): Promise<void> {
    const due = payments.flatMap((p) => {
      const code = sandboxDisputeReason(p.amount);
      return code === null ? [] : [{ ...p, code }];
    });
    if (due.length === 0) return;
    await em.query(
      `INSERT INTO sandbox_dispute_schedule (merchant_id, payment_id, currency, amount, reason_disputed_code, raise_at)
       SELECT m, p, c, a, r, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[]) AS x(m, p, c, a, r)
       ON CONFLICT DO NOTHING`,
      [
        due.map((d) => d.merchantId),
        due.map((d) => d.paymentId),
        due.map((d) => d.currency),
        due.map((d) => String(d.amount)),
        due.map((d) => d.code),
        new Date(now.getTime() + SANDBOX_DISPUTE_AFTER_DAYS * DAY_MS),
      ],
    );
  }
}
