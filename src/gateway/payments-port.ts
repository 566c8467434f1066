import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ProcessorsService } from '../processors/processors.service';
import { recurringChargeFields, StoredCredentialFields } from './cit-mit';
import type { AttemptLookup, ChargeOutcome, FollowUpOutcome, PaymentGateway } from './gateway';
import { GatewayFactory } from './gateway.factory';
import { RecurringChargesService } from './stored-credentials/recurring-charges.service';
import { GatewayTransactionRow } from './transactions/transaction.entity';

/**
 * The gateway as the payments API uses it (docs/payments-api.md, "One money"): a payment is
 * a transaction of the merchant's processor, made here with typed commands (never by
 * building transaction bodies), and identified afterwards by its transaction id only.
 */
export interface StoredMethodCharge {
  merchantId: string;
  /** The processor to charge through; the merchant's default when null. */
  processorId: string | null;
  /** true: a sale; false: an authorization, captured later. */
  capture: boolean;
  amount: number;
  currency: string;
  customerId: string;
  paymentMethodId: string;
  paymentMethodType: 'card' | 'ach';
  /** Stable per attempt: the same attempt retried is answered with the first result. */
  idempotencyKey: string;
  orderId?: string;
  description?: string;
  /**
   * 'one_off': a customer-initiated payment that stores nothing for later;
   * 'start_series': the customer-initiated start of a stored-credential series (a
   * subscription's signup), so that later charges of the method are merchant-initiated.
   */
  credential: 'one_off' | 'start_series';
}

export interface StoredMethodChargeResult {
  processorId: string;
  outcome: ChargeOutcome;
  storedCredential: StoredCredentialFields;
}

export interface TransactionSettlement {
  transactionId: string;
  settled: boolean;
  settledAt: Date | null;
}

/** A one-off keyed payment by a present customer: only the CIT fields the spec requires. */
const ONE_OFF: StoredCredentialFields = {
  ...recurringChargeFields(null),
  card_on_file_indicator: 'C',
  stored_credential_indicator: 'used',
  billing_method: 'straight',
};

@Injectable()
export class GatewayPayments {
  constructor(
    private readonly dataSource: DataSource,
    private readonly processors: ProcessorsService,
    private readonly gateways: GatewayFactory,
    private readonly recurring: RecurringChargesService,
  ) {}

  private async gateway(merchantId: string, processorId: string | null): Promise<PaymentGateway> {
    return this.gateways.forProcessor(await this.processors.resolve(merchantId, processorId));
  }

  /** The processor a new payment of the merchant goes through (its default). */
  async defaultProcessorId(merchantId: string): Promise<string> {
    return (await this.processors.resolve(merchantId, null)).id;
  }

  /** A sale or an authorization of a vaulted payment method. */
  async chargeStoredMethod(input: StoredMethodCharge): Promise<StoredMethodChargeResult> {
    const gateway = await this.gateway(input.merchantId, input.processorId);
    if (input.credential === 'start_series') {
      const { outcome, storedCredential } = await this.recurring.charge(
        gateway,
        {
          merchantId: input.merchantId,
          customerId: input.customerId,
          paymentMethodId: input.paymentMethodId,
          paymentMethodType: input.paymentMethodType,
          amount: input.amount,
          idempotencyKey: input.idempotencyKey,
          orderId: input.orderId,
          description: input.description,
          type: input.capture ? 'sale' : 'authorize',
        },
        recurringChargeFields(null),
      );
      return { processorId: gateway.processorId, outcome, storedCredential };
    }
    const request = {
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      currency: input.currency,
      orderId: input.orderId,
      description: input.description,
      source: {
        kind: 'customer' as const,
        customerId: input.customerId,
        paymentMethodId: input.paymentMethodId,
        paymentMethodType: input.paymentMethodType,
      },
      storedCredential: ONE_OFF,
    };
    const outcome = input.capture ? await gateway.sale(request) : await gateway.authorize(request);
    return { processorId: gateway.processorId, outcome, storedCredential: ONE_OFF };
  }

  /** Finds an attempt whose answer was lost, by its idempotency key. Never charges. */
  async findAttempt(
    merchantId: string,
    processorId: string,
    attempt: { idempotencyKey: string; amount: number; since: Date },
  ): Promise<AttemptLookup> {
    const gateway = await this.gateway(merchantId, processorId);
    return gateway.findAttempt(attempt);
  }

  async capture(
    merchantId: string,
    processorId: string,
    transactionId: string,
    amount: number,
  ): Promise<FollowUpOutcome> {
    return (await this.gateway(merchantId, processorId)).capture(transactionId, amount);
  }

  async void(
    merchantId: string,
    processorId: string,
    transactionId: string,
  ): Promise<FollowUpOutcome> {
    return (await this.gateway(merchantId, processorId)).void(transactionId);
  }

  /** A refund transaction of its own; `transaction.id` in the outcome is the refund's id. */
  async refund(
    merchantId: string,
    processorId: string,
    transactionId: string,
    amount: number,
  ): Promise<FollowUpOutcome> {
    return (await this.gateway(merchantId, processorId)).refund(transactionId, amount);
  }

  /**
   * Whether the sandbox's transactions have settled, for many at once (one query). Ids
   * of transactions the sandbox does not hold (an http gateway's) are left out.
   */
  async settlements(
    merchantId: string,
    transactionIds: string[],
  ): Promise<Map<string, TransactionSettlement>> {
    const out = new Map<string, TransactionSettlement>();
    if (transactionIds.length === 0) return out;
    const rows = await this.dataSource.getRepository(GatewayTransactionRow).find({
      where: { merchantId, id: In(transactionIds) },
      select: { id: true, status: true, settledAt: true, amountSettled: true },
    });
    for (const row of rows) {
      out.set(row.id, {
        transactionId: row.id,
        settled: row.settledAt !== null,
        settledAt: row.settledAt,
      });
    }
    return out;
  }
}
