import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { recurringChargeFields, startsRecurringSeries, StoredCredentialFields } from '../cit-mit';
import type { AttemptLookup, ChargeOutcome, PaymentGateway } from '../gateway';

/** A charge of a customer's stored payment method, as the billing run makes it. */
export interface RecurringChargeInput {
  merchantId: string;
  customerId: string;
  /** A concrete id (resolve the customer's default first): the CIT/MIT series is kept per method. */
  paymentMethodId: string;
  paymentMethodType?: 'card' | 'ach';
  billingAddressId?: string;
  shippingAddressId?: string;
  amount: number;
  /** Stable per attempt; saved with the attempt before the gateway is called. */
  idempotencyKey: string;
  orderId?: string;
  description?: string;
  /** 'sale' (default) or 'authorize'. */
  type?: 'sale' | 'authorize';
  allowPartialPayment?: boolean;
}

export interface RecurringChargeResult {
  outcome: ChargeOutcome;
  storedCredential: StoredCredentialFields;
}

/**
 * CIT/MIT bookkeeping for charges on stored payment methods (docs/cit-mit.md): the first
 * charge of a payment method on a processor is customer-initiated and stores it; once one
 * is approved, its id is kept, and every later charge is merchant-initiated and names it.
 */
@Injectable()
export class RecurringChargesService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The CIT/MIT fields the next charge of this payment method on this processor carries. */
  async storedCredentialFor(
    merchantId: string,
    processorId: string,
    customerId: string,
    paymentMethodId: string,
  ): Promise<StoredCredentialFields> {
    const rows: { initial_transaction_id: string }[] = await this.dataSource.query(
      `SELECT initial_transaction_id FROM gateway_stored_credentials
        WHERE merchant_id = $1 AND processor_id = $2 AND customer_id = $3 AND payment_method_id = $4`,
      [merchantId, processorId, customerId, paymentMethodId],
    );
    return recurringChargeFields(rows[0]?.initial_transaction_id ?? null);
  }

  /**
   * Charges the stored payment method with the right CIT/MIT fields. Pass `fields` when the
   * caller saved them with its attempt row first (it should), so that a later resolution
   * uses the same ones.
   */
  async charge(
    gateway: PaymentGateway,
    input: RecurringChargeInput,
    fields?: StoredCredentialFields,
  ): Promise<RecurringChargeResult> {
    const storedCredential =
      fields ??
      (await this.storedCredentialFor(
        input.merchantId,
        gateway.processorId,
        input.customerId,
        input.paymentMethodId,
      ));
    const request = {
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      orderId: input.orderId,
      description: input.description,
      allowPartialPayment: input.allowPartialPayment,
      source: {
        kind: 'customer' as const,
        customerId: input.customerId,
        paymentMethodId: input.paymentMethodId,
        paymentMethodType: input.paymentMethodType,
        billingAddressId: input.billingAddressId,
        shippingAddressId: input.shippingAddressId,
      },
      storedCredential,
    };
    const outcome =
      input.type === 'authorize' ? await gateway.authorize(request) : await gateway.sale(request);
    await this.recordOutcome(gateway.processorId, input, storedCredential, outcome);
    return { outcome, storedCredential };
  }

  /**
   * A zero-amount, customer-initiated verification that stores the payment method for
   * recurring use (a free trial's signup, say): later charges are merchant-initiated.
   */
  async verify(
    gateway: PaymentGateway,
    input: Omit<RecurringChargeInput, 'amount' | 'type'>,
  ): Promise<RecurringChargeResult> {
    const storedCredential = recurringChargeFields(null);
    const outcome = await gateway.verify({
      idempotencyKey: input.idempotencyKey,
      orderId: input.orderId,
      description: input.description,
      source: {
        kind: 'customer',
        customerId: input.customerId,
        paymentMethodId: input.paymentMethodId,
        paymentMethodType: input.paymentMethodType,
      },
      storedCredential,
    });
    await this.recordOutcome(gateway.processorId, input, storedCredential, outcome);
    return { outcome, storedCredential };
  }

  /**
   * Resolves an attempt whose outcome was unknown, by searching the gateway for it, and
   * keeps the CIT/MIT bookkeeping. Never charges. On `not_found` the attempt may be sent
   * again with the same idempotency key; on `unresolved`, ask again later.
   */
  async resolve(
    gateway: PaymentGateway,
    input: RecurringChargeInput,
    fields: StoredCredentialFields,
    attemptStartedAt: Date,
  ): Promise<AttemptLookup> {
    const lookup = await gateway.findAttempt({
      idempotencyKey: input.idempotencyKey,
      orderId: input.orderId,
      amount: input.amount,
      since: attemptStartedAt,
    });
    if (lookup.kind === 'found')
      await this.recordOutcome(gateway.processorId, input, fields, lookup.outcome);
    return lookup;
  }

  private async recordOutcome(
    processorId: string,
    input: Pick<RecurringChargeInput, 'merchantId' | 'customerId' | 'paymentMethodId'>,
    fields: StoredCredentialFields,
    outcome: ChargeOutcome,
  ): Promise<void> {
    const approved = outcome.kind === 'approved' || outcome.kind === 'partially_approved';
    if (!approved || outcome.transactionId === null || !startsRecurringSeries(fields)) return;
    await this.dataSource.query(
      `INSERT INTO gateway_stored_credentials
         (merchant_id, processor_id, customer_id, payment_method_id, initial_transaction_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [
        input.merchantId,
        processorId,
        input.customerId,
        input.paymentMethodId,
        outcome.transactionId,
        this.clock.now(),
      ],
    );
  }
}
