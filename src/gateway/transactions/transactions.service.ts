import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource, EntityManager, MoreThanOrEqual } from 'typeorm';
import { CalcInputError } from '../../billing-calc/errors';
import { lookupFees } from '../../billing-calc/fees';
import { Clock, CLOCK } from '../../platform/clock/clock';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../../platform/errors/errors';
import { Body } from '../../platform/http/input';
import { newId } from '../../platform/ids/ids';
import { requestFingerprint } from '../../platform/idempotency/stable-hash';
import { Processor } from '../../processors/processor.entity';
import { ProcessorsService, toProcessorSettings } from '../../processors/processors.service';
import { startsRecurringSeries } from '../cit-mit';
import {
  AchDetails,
  CardDetails,
  expirationMmYy,
  maskedAccount,
  maskedCard,
} from '../payment-details/payment-details';
import { responseClass, responseCode } from '../response-codes';
import { decideSandboxOutcome, SandboxDecision } from '../sandbox/sandbox-rules';
import { SandboxOptions } from '../sandbox/sandbox-options';
import { TokenizerService } from '../tokenizer/tokenizer.service';
import { VaultAddress } from '../vault/vault.entities';
import { AddressInput } from '../vault/vault-input';
import { VaultService } from '../vault/vault.service';
import {
  GatewayTransactionRow,
  ResponseDetails,
  TransactionAddress,
  TransactionPaymentMethod,
} from './transaction.entity';
import {
  parseCaptureRequest,
  parseIdempotencyKey,
  parseProcessRequest,
  parseRefundRequest,
  CaptureRequest,
  ProcessRequest,
  RefundRequest,
} from './transaction-request';
import { parseTransactionSearch } from './transaction-search';
import { SettlementService } from '../settlement/settlement.service';
import { TerminalSales } from '../terminals/terminal-sales';
import { TransactionChange, TransactionObservers } from './transaction-observers';
import { transactionView, TransactionView } from './transaction.views';

/** Spec: the body's idempotency_key identifies duplicates for five minutes. */
export const IDEMPOTENCY_WINDOW_MS = 5 * 60 * 1000;

export interface ProcessResult {
  transaction: TransactionView;
  /** True when the idempotency key named an earlier transaction, which is answered instead. */
  replayed: boolean;
  /** How long to hold the answer back (a sandbox timeout card); 0 normally. */
  respondLateMs: number;
}

/** What a transaction charges, opened from the request, the vault, a token or a terminal. */
interface ChargedMethod {
  label: TransactionPaymentMethod;
  details:
    { kind: 'card'; card: CardDetails; cvc: string | null } | { kind: 'ach'; ach: AchDetails };
  customerId: string | null;
  paymentMethodId: string | null;
  customerFlags: string[];
  methodFlags: string[];
  billingAddress: TransactionAddress | null;
  shippingAddress: TransactionAddress | null;
  /** A card-present sale: the terminal, its open batch and how the card was read. */
  terminal?: { id: string; batchNumber: number; processorSpecific: Record<string, unknown> };
}

const PROCESSOR_TYPE = 'rebill_sandbox';

/**
 * Rebill's sandbox gateway: processes transactions the way the spec describes, deciding
 * each outcome from the test card and amount (sandbox-rules.ts, docs/sandbox.md). Every
 * path that moves money runs in one database transaction, with the row locked.
 */
@Injectable()
export class TransactionsService {
  private readonly logger = new Logger(TransactionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: VaultService,
    private readonly tokenizer: TokenizerService,
    private readonly processors: ProcessorsService,
    private readonly options: SandboxOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly observers: TransactionObservers,
    private readonly settlement: SettlementService,
    private readonly terminalSales: TerminalSales,
  ) {}

  async process(merchantId: string, userId: string | null, body: Body): Promise<ProcessResult> {
    const now = this.clock.now();
    const req = parseProcessRequest(body, now);
    return this.processRequest(
      merchantId,
      userId,
      req,
      requestFingerprint('POST', '/api/transaction', body),
    );
  }

  /**
   * The typed entry point of POST /api/transaction, for callers that build a ProcessRequest
   * themselves (file batches): the same path, the same rules. `fingerprint` identifies the
   * request for its idempotency key (the same key with another fingerprint is refused).
   */
  async processRequest(
    merchantId: string,
    userId: string | null,
    req: ProcessRequest,
    fingerprint: string,
  ): Promise<ProcessResult> {
    const now = this.clock.now();
    const processor = await this.processors.resolve(
      merchantId,
      await this.terminalSales.processorIdFor(merchantId, req),
      undefined,
      'processor_id',
    );
    if (processor.gatewayKind !== 'sandbox') {
      throw new UnprocessableError(
        `processor ${processor.id} charges through the gateway at ${processor.gatewayBaseUrl ?? '(no URL)'}; ` +
          "Rebill's /api/transaction is the sandbox: choose a sandbox processor (processor_id)",
      );
    }
    const id = newId();

    return this.dataSource.transaction(async (em) => {
      if (req.idempotencyKey !== null) {
        const earlier = await this.claimIdempotencyKey(
          em,
          merchantId,
          req.idempotencyKey,
          fingerprint,
          id,
        );
        if (earlier !== null)
          return { transaction: transactionView(earlier), replayed: true, respondLateMs: 0 };
      }
      const charged = await this.openPaymentMethod(em, merchantId, req, now);
      const initialTransactionId = await this.initialTransactionFor(
        em,
        merchantId,
        processor.id,
        req,
        charged,
      );
      const amounts = this.amountsFor(req, processor, charged);
      const expired =
        charged.details.kind === 'card' &&
        charged.details.card.expirationYear * 12 + charged.details.card.expirationMonth - 1 <
          now.getUTCFullYear() * 12 + now.getUTCMonth();
      const decision = decideSandboxOutcome({
        type: req.type,
        amount: amounts.amount,
        method:
          charged.details.kind === 'card'
            ? { kind: 'card', number: charged.details.card.number, cvc: charged.details.cvc }
            : { kind: 'ach', accountNumber: charged.details.ach.accountNumber },
        billingAddress: charged.billingAddress,
        allowPartialPayment: req.allowPartialPayment,
      });
      // NOTE: a stored card that has since expired is declined by the issuer, not refused as bad input.
      const outcome: SandboxDecision =
        expired && decision.responseCode < 200
          ? { ...decision, responseCode: 223, approvedAmount: 0, respondLate: false }
          : decision;
      const approved = outcome.responseCode < 200;

      let customerId = charged.customerId;
      let paymentMethodId = charged.paymentMethodId;
      if (approved && req.createVaultRecord && charged.customerId === null) {
        const created = await this.vault.insertCustomer(em, merchantId, {
          id: null,
          description: req.description,
          flags: [],
          payment:
            charged.details.kind === 'card'
              ? { kind: 'card', card: charged.details.card }
              : { kind: 'ach', ach: charged.details.ach },
          billing: vaultAddress(charged.billingAddress),
          shipping: vaultAddress(charged.shippingAddress),
        });
        customerId = created.customer.id;
        paymentMethodId = created.paymentMethod?.id ?? null;
      }

      const row = this.buildRow({
        id,
        merchantId,
        userId,
        processor,
        req,
        charged,
        amounts,
        outcome,
        customerId,
        paymentMethodId,
        initialTransactionId,
        now,
      });
      await em.save(GatewayTransactionRow, row);
      await this.observers.notify(em, changesOfNewTransaction(row, now));

      if (
        approved &&
        customerId !== null &&
        paymentMethodId !== null &&
        row.initiatedBy !== null &&
        row.storedCredentialIndicator !== null &&
        startsRecurringSeries({
          card_on_file_indicator: row.cardOnFileIndicator ?? 'R',
          initiated_by: row.initiatedBy,
          stored_credential_indicator: row.storedCredentialIndicator,
          billing_method: row.billingMethod,
          initial_transaction_id: null,
        })
      ) {
        await em.query(
          `INSERT INTO gateway_stored_credentials
             (merchant_id, processor_id, customer_id, payment_method_id, initial_transaction_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [merchantId, processor.id, customerId, paymentMethodId, row.id, now],
        );
      }
      if (req.emailReceipt) {
        // NOTE: receipts are recorded (email_receipt, email_address) but not sent by the sandbox.
        this.logger.debug({ merchantId, transactionId: row.id }, 'receipt requested');
      }
      return {
        transaction: transactionView(row),
        replayed: false,
        respondLateMs: outcome.respondLate ? this.options.lateResponseMs : 0,
      };
    });
  }

  async get(merchantId: string, id: string): Promise<TransactionView> {
    const row = await this.dataSource
      .getRepository(GatewayTransactionRow)
      .findOneBy({ merchantId, id });
    if (!row) throw new NotFoundError('transaction', id);
    return transactionView(row);
  }

  /**
   * The transaction a body idempotency_key produced for an attempt started at `since`: the
   * earliest one from the duplicate window before it on (an earlier use of the key within
   * the window is what the attempt was answered with), or null.
   */
  async findByIdempotencyKey(
    merchantId: string,
    key: string,
    since: Date,
  ): Promise<TransactionView | null> {
    const valid = parseIdempotencyKey(key);
    if (valid === null) return null;
    const row = await this.dataSource.getRepository(GatewayTransactionRow).findOne({
      where: {
        merchantId,
        idempotencyKey: valid,
        createdAt: MoreThanOrEqual(new Date(since.getTime() - IDEMPOTENCY_WINDOW_MS)),
      },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return row ? transactionView(row) : null;
  }

  async search(
    merchantId: string,
    body: Body,
  ): Promise<{ data: TransactionView[]; total: number }> {
    const search = parseTransactionSearch(merchantId, body);
    const where = search.sql.where();
    const count: { total: string }[] = await this.dataSource.query(
      `SELECT count(*) AS total FROM gateway_transactions t WHERE ${where}`,
      search.sql.params,
    );
    const limit = search.sql.param(search.limit);
    const offset = search.sql.param(search.offset);
    const ids: { id: string }[] = await this.dataSource.query(
      `SELECT t.id FROM gateway_transactions t WHERE ${where}
        ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit} OFFSET ${offset}`,
      search.sql.params,
    );
    const rows =
      ids.length === 0
        ? []
        : await this.dataSource
            .getRepository(GatewayTransactionRow)
            .createQueryBuilder('t')
            .where('t.merchant_id = :merchantId AND t.id IN (:...ids)', {
              merchantId,
              ids: ids.map((r) => r.id),
            })
            .orderBy('t.created_at', 'DESC')
            .addOrderBy('t.id', 'DESC')
            .getMany();
    return { data: rows.map(transactionView), total: Number(count[0].total) };
  }

  /**
   * What the ledger prices a payment by, for transactions a caller was just told about
   * (inside the same database transaction, so uncommitted rows are seen).
   */
  async paymentFactsOf(
    em: EntityManager,
    ids: readonly string[],
  ): Promise<
    Map<
      string,
      { paymentType: 'card' | 'ach'; cardBrand: string | null; settlementBatchId: string | null }
    >
  > {
    if (ids.length === 0) return new Map();
    const rows: {
      id: string;
      payment_type: 'card' | 'ach';
      card_type: string | null;
      settlement_batch_id: string | null;
    }[] = await em.query(
      `SELECT id, payment_type, response_details->>'card_type' AS card_type, settlement_batch_id
           FROM gateway_transactions WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          paymentType: r.payment_type,
          cardBrand: r.card_type,
          settlementBatchId: r.settlement_batch_id,
        },
      ]),
    );
  }

  /** Spec: Capture. Only an authorization, only once, never above the authorized amount. */
  async capture(merchantId: string, id: string, body: Body): Promise<TransactionView> {
    return this.captureRequest(merchantId, id, parseCaptureRequest(body));
  }

  /** The typed entry point of a capture (file batches). */
  async captureRequest(
    merchantId: string,
    id: string,
    input: CaptureRequest,
  ): Promise<TransactionView> {
    return this.dataSource.transaction(async (em) => {
      const row = await this.lockRow(em, merchantId, id);
      if (row.type !== 'authorize') {
        throw new ConflictError(
          `transaction ${id} is a ${row.type}: only an authorization can be captured`,
        );
      }
      if (row.status !== 'authorized') {
        throw new ConflictError(
          `transaction ${id} is ${row.status}: only an authorized transaction can be captured`,
        );
      }
      const amount = input.amount ?? row.amountAuthorized;
      if (amount === 0) throw new ValidationError('amount', 'must be more than 0');
      if (amount > row.amountAuthorized) {
        throw new ValidationError(
          'amount',
          `must not exceed the authorized amount (${row.amountAuthorized})`,
        );
      }
      const now = this.clock.now();
      Object.assign(row, {
        status: 'pending_settlement',
        amountCaptured: amount,
        capturedAt: now,
        updatedAt: now,
        taxAmount: input.taxAmount ?? row.taxAmount,
        shippingAmount: input.shippingAmount ?? row.shippingAmount,
        taxExempt: input.taxExempt ?? row.taxExempt,
        orderId: input.orderId ?? row.orderId,
        poNumber: input.poNumber ?? row.poNumber,
        ipAddress: input.ipAddress ?? row.ipAddress,
      });
      await em.save(row);
      await this.observers.notify(em, [changeOf('captured', row, amount, now)]);
      return transactionView(row);
    });
  }

  /** Spec: Void / Auth Reversal. Only before settlement. */
  async void(merchantId: string, id: string): Promise<TransactionView> {
    return this.dataSource.transaction(async (em) => {
      const row = await this.lockRow(em, merchantId, id);
      if (row.status === 'settled' || row.status === 'refunded') {
        throw new ConflictError(
          `transaction ${id} has settled: it can no longer be voided; refund it instead`,
        );
      }
      if (row.status !== 'authorized' && row.status !== 'pending_settlement') {
        throw new ConflictError(
          `transaction ${id} is ${row.status}: only an authorized or pending transaction can be voided`,
        );
      }
      const now = this.clock.now();
      if (row.type === 'refund' && row.referencedTransactionId !== null) {
        // A voided refund gives the amount back to what may still be refunded.
        const parent = await this.lockRow(em, merchantId, row.referencedTransactionId);
        parent.amountRefunded -= row.amount;
        if (parent.status === 'refunded') parent.status = 'settled';
        parent.updatedAt = now;
        await em.save(parent);
      }
      // What the void takes back: the captured amount of a pending sale, capture or refund,
      // or the authorized amount of an authorization that was never captured.
      const reversed = row.status === 'authorized' ? row.amountAuthorized : row.amountCaptured;
      Object.assign(row, { status: 'voided', voidedAt: now, updatedAt: now });
      await em.save(row);
      await this.observers.notify(em, [changeOf('voided', row, reversed, now)]);
      return transactionView(row);
    });
  }

  /**
   * Spec: Refund. Only a settled sale or captured authorization; partial refunds add up to
   * at most the settled amount. The refund is a transaction of its own (type "refund").
   */
  async refund(merchantId: string, id: string, body: Body): Promise<TransactionView> {
    return this.refundRequest(merchantId, id, parseRefundRequest(body));
  }

  /** The typed entry point of a refund (file batches); `idempotencyKey` is kept on the refund. */
  async refundRequest(
    merchantId: string,
    id: string,
    input: RefundRequest,
    options: { idempotencyKey?: string } = {},
  ): Promise<TransactionView> {
    return this.dataSource.transaction(async (em) => {
      const row = await this.lockRow(em, merchantId, id);
      if (row.type !== 'sale' && row.type !== 'authorize') {
        throw new ConflictError(
          `transaction ${id} is a ${row.type}: only a sale or a captured authorization can be refunded`,
        );
      }
      if (row.status === 'pending_settlement' || row.status === 'authorized') {
        throw new ConflictError(
          `transaction ${id} has not settled yet: void it instead of refunding`,
        );
      }
      if (row.status === 'refunded') {
        throw new ConflictError(`transaction ${id} has already been refunded in full`);
      }
      if (row.status !== 'settled') {
        throw new ConflictError(`transaction ${id} is ${row.status}: there is nothing to refund`);
      }
      const remaining = row.amountSettled - row.amountRefunded;
      const amount = input.amount ?? remaining;
      if (amount === 0) throw new ValidationError('amount', 'must be more than 0');
      if (amount > remaining) {
        throw new ValidationError(
          'amount',
          `must not exceed the settled amount not yet refunded (${remaining} of ${row.amountSettled})`,
        );
      }
      const now = this.clock.now();
      const refundId = newId();
      const refund = em.create(GatewayTransactionRow, {
        ...row,
        id: refundId,
        type: 'refund',
        status: 'pending_settlement',
        responseCode: 100,
        responseText: responseCode(100).text,
        amount,
        baseAmount: null,
        surchargeAmount: Math.min(input.surcharge ?? 0, amount),
        serviceFee: 0,
        amountAuthorized: amount,
        amountCaptured: amount,
        amountSettled: 0,
        amountRefunded: 0,
        responseDetails: {
          ...row.responseDetails,
          id: newId(),
          status: 'approved',
          auth_code: authCodeFor(refundId),
          processor_response_code: '00',
          processor_response_text: responseCode(100).text,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        },
        cardOnFileIndicator: null,
        initiatedBy: null,
        initialTransactionId: null,
        storedCredentialIndicator: null,
        billingMethod: 'straight',
        // A file batch's refund carries its row's key, so a resumed batch can find it.
        idempotencyKey: options.idempotencyKey ?? null,
        referencedTransactionId: row.id,
        // A refund of a terminal sale joins the terminal's open batch; its number is set when it closes.
        batchNumber: null,
        settlementBatchId: null,
        createdAt: now,
        updatedAt: now,
        capturedAt: now,
        settledAt: null,
        voidedAt: null,
      });
      await em.save(GatewayTransactionRow, refund);
      row.amountRefunded += amount;
      if (row.amountRefunded === row.amountSettled) row.status = 'refunded';
      row.updatedAt = now;
      await em.save(row);
      await this.observers.notify(em, [changeOf('refunded', refund, amount, now)]);
      return transactionView(refund);
    });
  }

  /**
   * Settles every pending transaction of one merchant (or of all) now, each terminal and
   * each processor in a batch of its own (settlement/settlement.service.ts). Tests and
   * `POST /api/sandbox/settle` call it; the schedules live in SettlementService.
   */
  async settle(merchantId: string | null): Promise<number> {
    return this.settlement.settlePending(merchantId, { includeTerminals: true, trigger: 'manual' });
  }

  @Cron(CronExpression.EVERY_10_MINUTES)
  async sweepIdempotencyClaims(): Promise<void> {
    try {
      await this.dataSource.query(`DELETE FROM gateway_idempotency_claims WHERE expires_at <= $1`, [
        this.clock.now(),
      ]);
    } catch (err) {
      this.logger.warn({ err }, 'sweeping idempotency claims failed');
    }
  }

  // ---- internals ---------------------------------------------------------------------

  /**
   * Claims the key for transaction `id`, or returns the transaction an earlier request with
   * the key produced within the window. The claim's primary key (merchant, key) makes a
   * concurrent request with the same key wait for this transaction, then see its result.
   */
  private async claimIdempotencyKey(
    em: EntityManager,
    merchantId: string,
    key: string,
    fingerprint: string,
    id: string,
  ): Promise<GatewayTransactionRow | null> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + IDEMPOTENCY_WINDOW_MS);
    const inserted: unknown[] = await em.query(
      `INSERT INTO gateway_idempotency_claims (merchant_id, key, request_hash, transaction_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (merchant_id, key) DO NOTHING RETURNING key`,
      [merchantId, key, fingerprint, id, now, expiresAt],
    );
    if (inserted.length === 1) return null;
    const claims: { request_hash: string; transaction_id: string; expires_at: Date }[] =
      await em.query(
        `SELECT request_hash, transaction_id, expires_at FROM gateway_idempotency_claims
        WHERE merchant_id = $1 AND key = $2 FOR UPDATE`,
        [merchantId, key],
      );
    const claim = claims[0];
    if (claim.expires_at.getTime() > now.getTime()) {
      if (claim.request_hash !== fingerprint) {
        throw new UnprocessableError(
          'idempotency_key was used for a different transaction in the last 5 minutes; use a new key for a new transaction',
        );
      }
      const earlier = await em
        .getRepository(GatewayTransactionRow)
        .findOneBy({ merchantId, id: claim.transaction_id });
      if (earlier) return earlier;
    }
    // The window has passed: the key starts a new transaction.
    await em.query(
      `UPDATE gateway_idempotency_claims SET request_hash = $3, transaction_id = $4, created_at = $5, expires_at = $6
        WHERE merchant_id = $1 AND key = $2`,
      [merchantId, key, fingerprint, id, now, expiresAt],
    );
    return null;
  }

  private async openPaymentMethod(
    em: EntityManager,
    merchantId: string,
    req: ProcessRequest,
    now: Date,
  ): Promise<ChargedMethod> {
    const pm = req.paymentMethod;
    const base = {
      customerId: null,
      paymentMethodId: null,
      customerFlags: [],
      methodFlags: [],
      billingAddress: req.billingAddress,
      shippingAddress: req.shippingAddress,
    };
    if (pm.kind === 'card')
      return { ...base, label: 'card', details: { kind: 'card', card: pm.card, cvc: pm.cvc } };
    if (pm.kind === 'ach') return { ...base, label: 'ach', details: { kind: 'ach', ach: pm.ach } };
    if (pm.kind === 'wallet') {
      // The wallet's device card (DPAN) is charged like a card; no CVC, the cryptogram stands for it.
      return {
        ...base,
        label: pm.wallet,
        details: { kind: 'card', card: pm.card, cvc: null },
      };
    }
    if (pm.kind === 'terminal') {
      const amount = req.amount ?? req.baseAmount ?? 0;
      const sale = await this.terminalSales.present(em, merchantId, pm, amount, now);
      return {
        ...base,
        label: 'terminal',
        details: { kind: 'card', card: sale.card, cvc: pm.cvc },
        terminal: sale.terminal,
      };
    }
    if (pm.kind === 'token') {
      const details = await this.tokenizer.consume(
        em,
        merchantId,
        pm.token,
        'payment_method.token',
      );
      return {
        ...base,
        label: 'token',
        details:
          details.kind === 'card' ? { kind: 'card', card: details.card, cvc: null } : details,
      };
    }
    const opened = await this.vault.openForCharge(em, merchantId, pm, 'payment_method.customer');
    return {
      label: 'customer',
      details: opened.details.kind === 'card' ? { ...opened.details, cvc: null } : opened.details,
      customerId: opened.customer.id,
      paymentMethodId: opened.method.id,
      customerFlags: opened.customer.flags,
      methodFlags: opened.method.flags,
      // An address in the request wins over the vault's.
      billingAddress: req.billingAddress ?? transactionAddress(opened.billingAddress),
      shippingAddress: req.shippingAddress ?? transactionAddress(opened.shippingAddress),
    };
  }

  /**
   * The initial_transaction_id to record: the request's (which must be one of the
   * merchant's approved transactions), or, for a merchant-initiated charge on a vaulted
   * payment method, the series' first transaction (spec: optional with our tokenization).
   */
  private async initialTransactionFor(
    em: EntityManager,
    merchantId: string,
    processorId: string,
    req: ProcessRequest,
    charged: ChargedMethod,
  ): Promise<string | null> {
    const cit = req.citMit;
    if (cit.initialTransactionId !== null) {
      const found: unknown[] = await em.query(
        `SELECT 1 FROM gateway_transactions
          WHERE merchant_id = $1 AND id = $2 AND status NOT IN ('declined', 'unknown')`,
        [merchantId, cit.initialTransactionId],
      );
      if (found.length === 0) {
        throw new ValidationError(
          'initial_transaction_id',
          'is not an approved transaction of this merchant',
        );
      }
      return cit.initialTransactionId;
    }
    if (cit.initiatedBy !== 'merchant' || cit.storedCredentialIndicator !== 'used') return null;
    if (charged.customerId === null || charged.paymentMethodId === null) {
      throw new ValidationError(
        'initial_transaction_id',
        'is required for a merchant-initiated charge on a stored card or account that is not in the vault',
      );
    }
    const rows: { initial_transaction_id: string }[] = await em.query(
      `SELECT initial_transaction_id FROM gateway_stored_credentials
        WHERE merchant_id = $1 AND processor_id = $2 AND customer_id = $3 AND payment_method_id = $4`,
      [merchantId, processorId, charged.customerId, charged.paymentMethodId],
    );
    return rows[0]?.initial_transaction_id ?? null;
  }

  private amountsFor(
    req: ProcessRequest,
    processor: Processor,
    charged: ChargedMethod,
  ): { amount: number; baseAmount: number | null; surcharge: number; serviceFee: number } {
    if (req.baseAmount === null)
      return { amount: req.amount ?? 0, baseAmount: null, surcharge: 0, serviceFee: 0 };
    // Fee programs apply to sales and authorizations only (calculation core).
    if (req.type === 'credit')
      return { amount: req.baseAmount, baseAmount: req.baseAmount, surcharge: 0, serviceFee: 0 };
    try {
      const state = charged.billingAddress?.state ?? '';
      const fees = lookupFees(
        {
          type: 'integrations',
          type_id: null,
          state: state === '' ? null : state,
          bin: charged.details.kind === 'card' ? charged.details.card.number.slice(0, 8) : null,
          customer_id: null,
          payment_id: null,
          payment_method: charged.details.kind,
          base_amount: req.baseAmount,
        },
        toProcessorSettings(processor),
        {
          customerFlags: { surcharge_exempt: charged.customerFlags.includes('surcharge_exempt') },
          paymentMethodFlags: {
            surcharge_exempt: charged.methodFlags.includes('surcharge_exempt'),
          },
        },
      );
      return {
        amount: fees.requested_amount,
        baseAmount: req.baseAmount,
        surcharge: fees.surcharge,
        serviceFee: fees.service_fee,
      };
    } catch (err) {
      if (err instanceof CalcInputError) throw new ValidationError(err.field, err.problem);
      throw err;
    }
  }

  private buildRow(input: {
    id: string;
    merchantId: string;
    userId: string | null;
    processor: Processor;
    req: ProcessRequest;
    charged: ChargedMethod;
    amounts: { amount: number; baseAmount: number | null; surcharge: number; serviceFee: number };
    outcome: SandboxDecision;
    customerId: string | null;
    paymentMethodId: string | null;
    initialTransactionId: string | null;
    now: Date;
  }): GatewayTransactionRow {
    const { id, req, charged, outcome, now } = input;
    const code = responseCode(outcome.responseCode);
    const approved = outcome.responseCode < 200;
    const approvedAmount = approved ? outcome.approvedAmount : 0;
    const status = !approved
      ? 'declined'
      : req.type === 'authorize'
        ? 'authorized'
        : req.type === 'verification'
          ? 'settled'
          : 'pending_settlement';
    const captured =
      approved && (req.type === 'sale' || req.type === 'credit') ? approvedAmount : 0;
    const row = new GatewayTransactionRow();
    Object.assign(row, {
      id,
      merchantId: input.merchantId,
      processorId: input.processor.id,
      userId: input.userId,
      type: req.type,
      status,
      responseCode: outcome.responseCode,
      responseText: code.text,
      amount: input.amounts.amount,
      baseAmount: input.amounts.baseAmount,
      surchargeAmount: input.amounts.surcharge,
      serviceFee: input.amounts.serviceFee,
      amountAuthorized: approvedAmount,
      amountCaptured: captured,
      amountSettled: 0,
      amountRefunded: 0,
      taxAmount: req.taxAmount,
      shippingAmount: req.shippingAmount,
      taxExempt: req.taxExempt,
      currency: req.currency,
      description: req.description,
      orderId: req.orderId,
      poNumber: req.poNumber,
      ipAddress: req.ipAddress,
      emailReceipt: req.emailReceipt,
      emailAddress: req.emailAddress,
      paymentMethod: charged.label,
      paymentType: charged.details.kind,
      customerId: input.customerId,
      customerPaymentMethodId: input.paymentMethodId,
      responseDetails: responseDetailsFor(id, input.processor.id, charged, outcome, now),
      terminalId: charged.terminal?.id ?? null,
      batchNumber: charged.terminal?.batchNumber ?? null,
      settlementBatchId: null,
      billingAddress: charged.billingAddress,
      shippingAddress: charged.shippingAddress,
      cardOnFileIndicator: req.citMit.cardOnFileIndicator,
      initiatedBy: req.citMit.initiatedBy,
      initialTransactionId: input.initialTransactionId,
      storedCredentialIndicator: req.citMit.storedCredentialIndicator,
      billingMethod: req.citMit.billingMethod,
      idempotencyKey: req.idempotencyKey,
      referencedTransactionId: null,
      createdAt: now,
      updatedAt: now,
      capturedAt: captured > 0 ? now : null,
      settledAt: status === 'settled' ? now : null,
      voidedAt: null,
    });
    return row;
  }

  private async lockRow(
    em: EntityManager,
    merchantId: string,
    id: string,
  ): Promise<GatewayTransactionRow> {
    const row = await em
      .getRepository(GatewayTransactionRow)
      .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new NotFoundError('transaction', id);
    return row;
  }
}

function changeOf(
  kind: TransactionChange['kind'],
  row: GatewayTransactionRow,
  amountCents: number,
  occurredAt: Date,
): TransactionChange {
  return {
    kind,
    merchantId: row.merchantId,
    transactionId: row.id,
    amountCents,
    currency: row.currency,
    occurredAt,
    ...(row.referencedTransactionId !== null
      ? { relatedTransactionId: row.referencedTransactionId }
      : {}),
  };
}

/**
 * The change a new transaction makes: a decline moves nothing, an approved sale or credit
 * moves what was approved, an authorization holds it. A verification moves no money and
 * is not reported.
 */
function changesOfNewTransaction(row: GatewayTransactionRow, now: Date): TransactionChange[] {
  if (row.status === 'declined') return [changeOf('declined', row, 0, now)];
  if (row.type === 'sale') return [changeOf('sold', row, row.amountCaptured, now)];
  if (row.type === 'credit') return [changeOf('credited', row, row.amountCaptured, now)];
  if (row.type === 'authorize') return [changeOf('authorized', row, row.amountAuthorized, now)];
  return [];
}

/** A short approval code, fixed by the transaction id (the sandbox is deterministic per id). */
function authCodeFor(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 6).toUpperCase();
}

function responseDetailsFor(
  id: string,
  processorId: string,
  charged: ChargedMethod,
  outcome: SandboxDecision,
  now: Date,
): ResponseDetails {
  const code = responseCode(outcome.responseCode);
  const approved = outcome.responseCode < 200;
  const common = {
    id: newId(),
    status: approved
      ? responseClass(outcome.responseCode) === 'partially_approved'
        ? 'partially_approved'
        : 'approved'
      : 'declined',
    auth_code: approved ? authCodeFor(id) : '',
    processor_response_code: code.processorCode,
    processor_response_text: code.text,
    processor_type: PROCESSOR_TYPE,
    processor_id: processorId,
    processor_specific: charged.terminal?.processorSpecific ?? {},
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  if (charged.details.kind === 'card') {
    const card = charged.details.card;
    return {
      ...common,
      card_type: card.cardType,
      first_six: card.number.slice(0, 6),
      last_four: card.number.slice(-4),
      masked_card: maskedCard(card.number),
      expiration_date: expirationMmYy(card.expirationMonth, card.expirationYear),
      avs_response_code: outcome.avsResponseCode,
      cvv_response_code: outcome.cvvResponseCode,
    };
  }
  const ach = charged.details.ach;
  return {
    ...common,
    masked_account_number: maskedAccount(ach.accountNumber),
    routing_number: ach.routingNumber,
    account_type: ach.accountType,
    sec_code: ach.secCode,
  };
}

function transactionAddress(a: VaultAddress | null): TransactionAddress | null {
  if (a === null) return null;
  return {
    address_id: a.id,
    first_name: a.first_name,
    last_name: a.last_name,
    company: a.company,
    address_line_1: a.line_1,
    address_line_2: a.line_2,
    city: a.city,
    state: a.state,
    postal_code: a.postal_code,
    country: a.country,
    phone: a.phone,
    fax: a.fax,
    email: a.email,
  };
}

function vaultAddress(a: TransactionAddress | null): AddressInput | null {
  if (a === null) return null;
  return {
    first_name: a.first_name,
    last_name: a.last_name,
    company: a.company,
    line_1: a.address_line_1,
    line_2: a.address_line_2,
    city: a.city,
    state: a.state,
    postal_code: a.postal_code,
    country: a.country,
    email: a.email,
    phone: a.phone,
    fax: a.fax,
  };
}
