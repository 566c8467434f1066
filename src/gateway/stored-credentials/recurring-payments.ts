import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Processor } from '../../processors/processor.entity';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { merchantInitiatedFields, StoredCredentialFields } from '../cit-mit';
import type { PaymentGateway } from '../gateway';
import { GatewayFactory } from '../gateway.factory';
import { paymentRefKey, VaultService } from '../vault/vault.service';
import type { VaultPaymentMethod } from '../vault/vault.entities';

export interface RecurringPaymentRef {
  merchantId: string;
  customerId: string;
  /** The subscription's own payment method; the customer's default when null. */
  paymentMethodId: string | null;
  paymentMethodType: 'card' | 'ach' | null;
}

export interface RecurringPaymentMethod {
  /** The concrete payment method charged (null: none usable in the vault). */
  method: Pick<VaultPaymentMethod, 'id' | 'type' | 'maskedNumber' | 'flags'> | null;
  customerFlags: string[];
}

/**
 * Payments for the billing domain: the gateway, the vault's payment methods and the stored
 * credentials (gateway_stored_credentials, which this module alone owns), all loaded for a
 * whole batch in a constant number of queries. A renewal is always merchant-initiated.
 */
@Injectable()
export class RecurringPayments {
  constructor(
    private readonly vault: VaultService,
    private readonly gateways: GatewayFactory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Each reference's payment method and its customer's flags (two queries). */
  async paymentMethods(
    em: EntityManager,
    refs: readonly RecurringPaymentRef[],
  ): Promise<RecurringPaymentMethod[]> {
    const found = await this.vault.paymentMethodsFor(em, refs);
    return refs.map((r) => found.get(paymentRefKey(r)) ?? { method: null, customerFlags: [] });
  }

  /**
   * The merchant-initiated fields of each renewal: initial_transaction_id is the series'
   * first transaction when one is recorded for this processor and payment method (one query).
   */
  async merchantInitiated(
    em: EntityManager,
    keys: readonly {
      merchantId: string;
      processorId: string;
      customerId: string;
      paymentMethodId: string;
    }[],
  ): Promise<StoredCredentialFields[]> {
    if (keys.length === 0) return [];
    const rows: { k: string; initial_transaction_id: string }[] = await em.query(
      `SELECT s.merchant_id || '|' || s.processor_id || '|' || s.customer_id || '|' || s.payment_method_id AS k,
              s.initial_transaction_id
         FROM gateway_stored_credentials s
         JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(m, p, c, pm)
           ON s.merchant_id = u.m AND s.processor_id = u.p AND s.customer_id = u.c AND s.payment_method_id = u.pm`,
      [
        keys.map((k) => k.merchantId),
        keys.map((k) => k.processorId),
        keys.map((k) => k.customerId),
        keys.map((k) => k.paymentMethodId),
      ],
    );
    const initial = new Map(rows.map((r) => [r.k, r.initial_transaction_id]));
    return keys.map((k) =>
      merchantInitiatedFields(
        initial.get(`${k.merchantId}|${k.processorId}|${k.customerId}|${k.paymentMethodId}`) ??
          null,
      ),
    );
  }

  /**
   * Records the approved customer-initiated charges that start a series (attempts recorded
   * before renewals became merchant-initiated, resolved now); one statement.
   */
  async recordSeriesStarts(
    em: EntityManager,
    starts: readonly {
      merchantId: string;
      processorId: string;
      customerId: string;
      paymentMethodId: string;
      transactionId: string;
    }[],
  ): Promise<void> {
    if (starts.length === 0) return;
    await em.query(
      `INSERT INTO gateway_stored_credentials
         (merchant_id, processor_id, customer_id, payment_method_id, initial_transaction_id, created_at)
       SELECT m, p, c, pm, t, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(m, p, c, pm, t)
       ON CONFLICT DO NOTHING`,
      [
        starts.map((s) => s.merchantId),
        starts.map((s) => s.processorId),
        starts.map((s) => s.customerId),
        starts.map((s) => s.paymentMethodId),
        starts.map((s) => s.transactionId),
        this.clock.now(),
      ],
    );
  }

  gatewayFor(processor: Processor): PaymentGateway {
    return this.gateways.forProcessor(processor);
  }
}
