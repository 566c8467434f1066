import { DomainError, HTTP_STATUS_BY_CODE, NotFoundError } from '../../platform/errors/errors';
import type { Processor } from '../../processors/processor.entity';
import type {
  AttemptLookup,
  AttemptQuery,
  ChargeOutcome,
  ChargeRequest,
  FollowUpOutcome,
  GatewayCustomer,
  GatewayTransaction,
  PaymentGateway,
  VaultCustomerInput,
  VaultOutcome,
} from '../gateway';
import {
  chargeBody,
  ChargeType,
  customerFrom,
  gatewayTransactionFrom,
  outcomeFromTransaction,
  refusedOutcome,
  unknownOutcome,
  vaultCustomerBody,
} from '../spec-mapping';
import type { TransactionsService } from '../transactions/transactions.service';
import type { VaultService } from '../vault/vault.service';

type Json = Record<string, unknown>;

/**
 * Rebill's sandbox as a PaymentGateway, called in-process. Requests go through the same
 * spec bodies as over HTTP (spec-mapping.ts), so both implementations behave alike; the
 * timeout test card answers `unknown` here at once instead of holding the answer back.
 */
export class SandboxGateway implements PaymentGateway {
  readonly kind = 'sandbox' as const;

  constructor(
    private readonly processor: Processor,
    private readonly transactions: TransactionsService,
    private readonly vault: VaultService,
  ) {}

  get processorId(): string {
    return this.processor.id;
  }

  private get merchantId(): string {
    return this.processor.merchantId;
  }

  sale(request: ChargeRequest): Promise<ChargeOutcome> {
    return this.charge('sale', request);
  }

  authorize(request: ChargeRequest): Promise<ChargeOutcome> {
    return this.charge('authorize', request);
  }

  verify(request: Omit<ChargeRequest, 'amount'>): Promise<ChargeOutcome> {
    return this.charge('verification', { ...request, amount: 0 });
  }

  credit(request: ChargeRequest): Promise<ChargeOutcome> {
    return this.charge('credit', request);
  }

  private async charge(type: ChargeType, request: ChargeRequest): Promise<ChargeOutcome> {
    const body = chargeBody(type, request, this.processor.id);
    try {
      const result = await this.transactions.process(this.merchantId, null, body);
      if (result.respondLateMs > 0) return unknownOutcome(request.amount, 'timeout');
      return outcomeFromTransaction(result.transaction as unknown as Json, request.amount);
    } catch (err) {
      if (err instanceof DomainError) {
        return refusedOutcome(request.amount, HTTP_STATUS_BY_CODE[err.code], err.message);
      }
      // A fault below the sandbox (the database): treat it as a lost answer, never as a decline.
      return unknownOutcome(request.amount, 'gateway_error');
    }
  }

  capture(transactionId: string, amount?: number): Promise<FollowUpOutcome> {
    return this.followUp(() =>
      this.transactions.capture(
        this.merchantId,
        transactionId,
        amount === undefined ? {} : { amount },
      ),
    );
  }

  void(transactionId: string): Promise<FollowUpOutcome> {
    return this.followUp(() => this.transactions.void(this.merchantId, transactionId));
  }

  refund(transactionId: string, amount?: number): Promise<FollowUpOutcome> {
    return this.followUp(() =>
      this.transactions.refund(
        this.merchantId,
        transactionId,
        amount === undefined ? {} : { amount },
      ),
    );
  }

  private async followUp(run: () => Promise<unknown>): Promise<FollowUpOutcome> {
    try {
      const view = await run();
      return {
        kind: 'done',
        transaction: view === null ? null : gatewayTransactionFrom(view as Json),
      };
    } catch (err) {
      if (err instanceof DomainError) {
        return { kind: 'refused', httpStatus: HTTP_STATUS_BY_CODE[err.code], message: err.message };
      }
      return { kind: 'unknown', reason: 'gateway_error' };
    }
  }

  async getTransaction(transactionId: string): Promise<GatewayTransaction | null> {
    try {
      return gatewayTransactionFrom(
        (await this.transactions.get(this.merchantId, transactionId)) as unknown as Json,
      );
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async findAttempt(query: AttemptQuery): Promise<AttemptLookup> {
    try {
      const found = await this.transactions.findByIdempotencyKey(
        this.merchantId,
        query.idempotencyKey,
        query.since,
      );
      if (found === null) return { kind: 'not_found' };
      return {
        kind: 'found',
        outcome: outcomeFromTransaction(found as unknown as Json, query.amount),
      };
    } catch {
      return { kind: 'unresolved', reason: 'gateway_error' };
    }
  }

  async createCustomer(input: VaultCustomerInput): Promise<VaultOutcome<GatewayCustomer>> {
    try {
      const view = await this.vault.createCustomer(this.merchantId, vaultCustomerBody(input));
      return { kind: 'done', value: customerFrom(view as unknown as Json) };
    } catch (err) {
      if (err instanceof DomainError) {
        return { kind: 'refused', httpStatus: HTTP_STATUS_BY_CODE[err.code], message: err.message };
      }
      return { kind: 'unknown', reason: 'gateway_error' };
    }
  }

  async getCustomer(customerId: string): Promise<GatewayCustomer | null> {
    try {
      return customerFrom(
        (await this.vault.getCustomer(this.merchantId, customerId)) as unknown as Json,
      );
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }
}
