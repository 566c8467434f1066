import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Which payment intent and payment a gateway transaction belongs to, for modules that see
 * the transaction first (the ledger's disputes).
 */
@Injectable()
export class PaymentLookup {
  async byTransactionIds(
    em: EntityManager,
    transactionIds: readonly string[],
  ): Promise<Map<string, { paymentIntentId: string; paymentId: string }>> {
    if (transactionIds.length === 0) return new Map();
    const rows: { transaction_id: string; payment_intent_id: string; id: string }[] =
      await em.query(
        `SELECT transaction_id, payment_intent_id, id FROM payment_intent_payments
          WHERE transaction_id = ANY($1::text[])`,
        [transactionIds],
      );
    return new Map(
      rows.map((r) => [
        r.transaction_id,
        { paymentIntentId: r.payment_intent_id, paymentId: r.id },
      ]),
    );
  }
}
