import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { ChargeOutcome } from '../gateway/gateway';
import { unknownOutcome } from '../gateway/spec-mapping';
import { GatewayPayments, TransactionSettlement } from '../gateway/payments-port';
import { StoredPaymentMethod, VaultPaymentMethods } from '../gateway/vault/payment-methods.port';
import { hashKey } from '../platform/auth/key-hash';
import { Clock, CLOCK } from '../platform/clock/clock';
import { FieldCipher } from '../platform/crypto/field-cipher';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors/errors';
import { newId, newSecretToken } from '../platform/ids/ids';
import type { V1Caller } from './api/v1-auth';
import { cursorPage, CursorQuery, ListPage } from './api/pagination';
import { intentRefusal } from './intent-state';
import { IntentFields, IntentPatch, IntentSearch, PaymentCreate } from './payment-input';
import {
  CancellationReason,
  IntentPayment,
  PaymentIntent,
  PaymentRefund,
} from './payment.entities';
import { IntentView, intentView, paymentView, refundView } from './payment-views';

/** How a payment is charged: a one-off payment, or the start of a subscription's series. */
export interface PayOptions {
  credential: 'one_off' | 'start_series';
  /** Called in the outcome's transaction when the payment is approved (checkout sessions). */
  onApproved?: (em: EntityManager, intent: PaymentIntent, payment: IntentPayment) => Promise<void>;
}

/** What the merchant's other gateway answered to an external follow-up. */
export interface ExternalResponse {
  gatewayResponse: Record<string, unknown> | null;
}

/** A payment still `pending` after this long lost its process; a fetch resolves it. */
const STALE_PENDING_MS = 2 * 60_000;

/**
 * Payment intents and their payments and refunds. A payment through Rebill is one gateway
 * transaction (GatewayPayments): recorded `pending` before the gateway is called, with an
 * idempotency key derived from its id, and settled from the outcome in a second transaction,
 * so that no retry, double submission or crash charges twice.
 */
@Injectable()
export class PaymentIntentsService {
  private readonly logger = new Logger(PaymentIntentsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
    private readonly gateway: GatewayPayments,
    private readonly methods: VaultPaymentMethods,
  ) {}

  // ---- creating and reading ----------------------------------------------------------

  async create(
    caller: V1Caller,
    fields: IntentFields,
    extra: { checkoutSessionId?: string; external?: boolean } = {},
    em?: EntityManager,
  ): Promise<PaymentIntent> {
    const now = this.clock.now();
    const id = newId();
    const secret = `${id}_secret_${newSecretToken(24)}`;
    const intent = (em ?? this.dataSource.manager).getRepository(PaymentIntent).create({
      id,
      merchantId: caller.accountId,
      businessId: caller.businessId,
      status: 'created',
      amount: fields.amount,
      merchantAmount: fields.merchantAmount,
      currency: fields.currency,
      capture: fields.capture,
      amountAuthorized: 0,
      amountCaptured: 0,
      amountRefunded: 0,
      amountVoided: 0,
      paymentMethodTypes: fields.paymentMethodTypes,
      referenceId: fields.referenceId,
      description: fields.description,
      userFields: fields.userFields,
      orderDetails: fields.orderDetails,
      paymentSplits: fields.paymentSplits,
      clientSecretSealed: this.cipher.encrypt(secret, this.secretContext(caller.accountId)),
      clientSecretHash: hashKey(secret),
      cancellationReason: null,
      external: extra.external ?? false,
      latestPaymentId: null,
      checkoutSessionId: extra.checkoutSessionId ?? null,
      createdAt: now,
      updatedAt: now,
      cancelledAt: null,
      capturedAt: null,
    });
    await (em ?? this.dataSource.manager).getRepository(PaymentIntent).save(intent);
    return intent;
  }

  private secretContext(merchantId: string): string {
    return `payment_intents.client_secret:${merchantId}`;
  }

  /**
   * A browser's call with the public key: the body's `client_secret` must be this intent's.
   * Any other secret (another intent's, a guess) is answered as an unknown intent.
   */
  async assertClientSecret(merchantId: string, id: string, body: unknown): Promise<void> {
    const secret = (body as { client_secret?: unknown } | null)?.client_secret;
    if (typeof secret !== 'string' || secret === '') {
      throw new ValidationError('client_secret', 'is required with the public key');
    }
    const intent = await this.dataSource
      .getRepository(PaymentIntent)
      .findOneBy({ merchantId, id, clientSecretHash: hashKey(secret) });
    if (!intent) throw new NotFoundError('payment intent', id);
  }

  async find(
    merchantId: string,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<PaymentIntent> {
    const repo = (em ?? this.dataSource.manager).getRepository(PaymentIntent);
    const intent = lock
      ? await repo.findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } })
      : await repo.findOneBy({ merchantId, id });
    if (!intent) throw new NotFoundError('payment intent', id);
    return intent;
  }

  async get(caller: V1Caller, id: string): Promise<IntentView> {
    let intent = await this.find(caller.accountId, id);
    if (intent.status === 'pending') {
      await this.resolvePending(intent);
      intent = await this.find(caller.accountId, id);
    }
    return (await this.views(caller, [intent]))[0];
  }

  /** Views of many intents in a constant number of queries. */
  async views(caller: V1Caller, intents: PaymentIntent[]): Promise<IntentView[]> {
    if (intents.length === 0) return [];
    const merchantId = caller.accountId;
    const latestIds = intents.map((i) => i.latestPaymentId).filter((x): x is string => x !== null);
    const payments =
      latestIds.length === 0
        ? []
        : await this.dataSource
            .getRepository(IntentPayment)
            .findBy({ merchantId, id: In(latestIds) });
    const byId = new Map(payments.map((p) => [p.id, p]));
    const settlements = await this.gateway.settlements(
      merchantId,
      payments.map((p) => p.transactionId).filter((x): x is string => x !== null),
    );
    const methods = await this.methodsOf(merchantId, payments);
    // The client secret is the browser's: only private keys (the merchant's server) see it.
    const showSecret = caller.keyKind !== 'public';
    return intents.map((i) => {
      const latest = i.latestPaymentId === null ? null : (byId.get(i.latestPaymentId) ?? null);
      return intentView(
        i,
        showSecret
          ? this.cipher.decrypt(i.clientSecretSealed, this.secretContext(merchantId))
          : null,
        latest === null
          ? null
          : paymentView(latest, settlements, methods.get(latest.paymentMethodId ?? '') ?? null),
        settlements,
        latest,
      );
    });
  }

  private async methodsOf(
    merchantId: string,
    payments: IntentPayment[],
  ): Promise<Map<string, StoredPaymentMethod>> {
    const out = new Map<string, StoredPaymentMethod>();
    for (const id of new Set(
      payments.map((p) => p.paymentMethodId).filter((x): x is string => !!x),
    )) {
      const method = await this.methods.get(merchantId, id);
      if (method) out.set(id, method);
    }
    return out;
  }

  async list(caller: V1Caller, cursor: CursorQuery): Promise<ListPage<IntentView>> {
    const qb = this.dataSource
      .getRepository(PaymentIntent)
      .createQueryBuilder('i')
      .where('i.merchantId = :m', { m: caller.accountId });
    if (caller.businessId !== null) qb.andWhere('i.businessId = :b', { b: caller.businessId });
    const page = await cursorPage(qb, 'i', cursor);
    return { data: await this.views(caller, page.rows), meta: page.meta };
  }

  /** Search (spec: body filters with `limit`/`page`); `meta` has the page and the total. */
  async search(caller: V1Caller, search: IntentSearch) {
    const qb = this.dataSource
      .getRepository(PaymentIntent)
      .createQueryBuilder('i')
      .where('i.merchantId = :m', { m: caller.accountId });
    if (caller.businessId !== null) qb.andWhere('i.businessId = :b', { b: caller.businessId });
    if (search.referenceId !== null) qb.andWhere('i.referenceId = :r', { r: search.referenceId });
    if (search.status !== null) qb.andWhere('i.status = :s', { s: search.status });
    if (search.amountMin !== null) qb.andWhere('i.amount >= :amin', { amin: search.amountMin });
    if (search.amountMax !== null) qb.andWhere('i.amount <= :amax', { amax: search.amountMax });
    if (search.startDate !== null) qb.andWhere('i.createdAt >= :sd', { sd: search.startDate });
    if (search.endDate !== null) qb.andWhere('i.createdAt <= :ed', { ed: search.endDate });
    if (search.hasRefund !== null) {
      qb.andWhere(search.hasRefund ? 'i.amountRefunded > 0' : 'i.amountRefunded = 0');
    }
    if (search.paymentStatus !== null) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM payment_intent_payments p
                  WHERE p.id = i.latest_payment_id AND p.merchant_id = i.merchant_id AND p.status = :ps)`,
        { ps: search.paymentStatus },
      );
    }
    if (search.settlementStatus !== null) {
      // Settlement is the gateway's: read it through the port for the captured candidates.
      qb.andWhere(`i.status = 'captured'`);
    }
    const column = {
      amount: 'i.amount',
      created_at: 'i.createdAt',
      updated_at: 'i.updatedAt',
      status: 'i.status',
    }[search.sortColumn];
    qb.orderBy(column, search.sortDirection).addOrderBy('i.id', search.sortDirection);
    let rows: PaymentIntent[];
    let total: number;
    if (search.settlementStatus === null) {
      [rows, total] = await qb
        .skip((search.page - 1) * search.limit)
        .take(search.limit)
        .getManyAndCount();
    } else {
      const all = await qb.getMany();
      const views = await this.views(caller, all);
      const wanted = new Set(
        views.filter((v) => v.settlement_status === search.settlementStatus).map((v) => v.id),
      );
      const matching = all.filter((i) => wanted.has(i.id));
      total = matching.length;
      rows = matching.slice((search.page - 1) * search.limit, search.page * search.limit);
    }
    return {
      data: await this.views(caller, rows),
      meta: { limit: search.limit, page: search.page, total_count: total },
    };
  }

  async update(caller: V1Caller, id: string, patch: IntentPatch): Promise<IntentView> {
    await this.dataSource.transaction(async (em) => {
      const intent = await this.find(caller.accountId, id, em, true);
      const refusal = intentRefusal(intent.status, 'update');
      if (refusal) throw new ConflictError(refusal);
      if (intent.checkoutSessionId !== null && patch.amount !== undefined) {
        throw new ConflictError(
          "payment intent belongs to a checkout session: its amount is the session's subtotal − discount_amount",
        );
      }
      const amount = patch.amount ?? intent.amount;
      const merchantAmount = patch.merchantAmount ?? intent.merchantAmount;
      if (merchantAmount !== null && merchantAmount > amount) {
        throw new ValidationError('merchant_amount', 'must not exceed amount');
      }
      Object.assign(intent, { ...patch, merchantAmount, updatedAt: this.clock.now() });
      await em.save(intent);
    });
    return this.get(caller, id);
  }

  // ---- paying ------------------------------------------------------------------------

  /**
   * Creates a payment of the intent with a vaulted payment method and charges it. Paying an
   * intent that already has a live payment is refused (409), so paying twice charges once.
   */
  async pay(
    merchantId: string,
    intentId: string,
    input: PaymentCreate,
    options: PayOptions = { credential: 'one_off' },
  ): Promise<{ intent: PaymentIntent; payment: IntentPayment }> {
    const claimed = await this.dataSource.transaction(async (em) => {
      const intent = await this.find(merchantId, intentId, em, true);
      const refusal = intentRefusal(intent.status, 'pay');
      if (refusal) throw new ConflictError(refusal);
      if (intent.amount === 0) {
        throw new ConflictError('payment intent has an amount of 0: there is nothing to pay');
      }
      const method = await this.methods.get(merchantId, input.paymentMethodId, em);
      if (!method) throw new NotFoundError('payment method', input.paymentMethodId);
      const type = method.type === 'card' ? 'card' : 'bank';
      if (!intent.paymentMethodTypes.includes(type)) {
        throw new ValidationError(
          'payment_method_id',
          `is a ${type} payment method; this payment intent accepts ${intent.paymentMethodTypes.join(', ')}`,
        );
      }
      const now = this.clock.now();
      const id = newId();
      const payment = em.getRepository(IntentPayment).create({
        id,
        merchantId,
        paymentIntentId: intent.id,
        status: 'pending',
        amount: intent.amount,
        amountAuthorized: 0,
        amountCaptured: 0,
        amountRefunded: 0,
        amountVoided: 0,
        processorId: await this.gateway.defaultProcessorId(merchantId),
        transactionId: null,
        gatewayIdempotencyKey: `payment-${id}`,
        customerId: method.customerId,
        paymentMethodId: method.id,
        paymentMethodType: type,
        responseCode: 0,
        avs: null,
        cvv: null,
        authCode: null,
        authResponseText: null,
        external: false,
        cardPresent: false,
        gatewayResponse: null,
        storedCredential: null,
        referenceId: input.referenceId,
        description: input.description,
        userFields: input.userFields,
        orderDetails: input.orderDetails ?? intent.orderDetails,
        createdAt: now,
        updatedAt: now,
      });
      await em.getRepository(IntentPayment).save(payment);
      intent.status = 'pending';
      intent.latestPaymentId = id;
      intent.updatedAt = now;
      await em.save(intent);
      return { intent, payment, method };
    });

    const { intent, payment, method } = claimed;
    let outcome: ChargeOutcome;
    let storedCredential: Record<string, unknown> | null = null;
    try {
      const result = await this.gateway.chargeStoredMethod({
        merchantId,
        processorId: payment.processorId,
        capture: intent.capture,
        amount: payment.amount,
        currency: intent.currency,
        customerId: method.customerId,
        paymentMethodId: method.id,
        paymentMethodType: method.type,
        idempotencyKey: payment.gatewayIdempotencyKey!,
        // The gateway takes up to 17 characters; the idempotency key identifies the attempt.
        orderId: payment.id.slice(0, 17),
        description: intent.description ?? undefined,
        credential: options.credential,
      });
      outcome = result.outcome;
      storedCredential = { ...result.storedCredential };
    } catch (err) {
      this.logger.warn({ paymentId: payment.id, err: (err as Error).message }, 'charge failed');
      outcome = unknownOutcome(payment.amount, 'exception');
    }
    return this.recordOutcome(merchantId, payment.id, outcome, storedCredential, options);
  }

  /** Records a charge's outcome on a pending payment and its intent, once. */
  private recordOutcome(
    merchantId: string,
    paymentId: string,
    outcome: ChargeOutcome,
    storedCredential: Record<string, unknown> | null,
    options: PayOptions,
  ): Promise<{ intent: PaymentIntent; payment: IntentPayment }> {
    return this.dataSource.transaction(async (em) => {
      const payments = em.getRepository(IntentPayment);
      const first = await payments.findOneByOrFail({ merchantId, id: paymentId });
      const intent = await this.find(merchantId, first.paymentIntentId, em, true);
      const payment = await payments.findOneByOrFail({ merchantId, id: paymentId });
      if (payment.status !== 'pending') return { intent, payment };
      const now = this.clock.now();
      payment.updatedAt = now;
      payment.transactionId = outcome.transactionId;
      payment.responseCode = outcome.responseCode;
      payment.avs = outcome.avsResponseCode;
      payment.cvv = outcome.cvvResponseCode;
      payment.authCode = outcome.authCode;
      payment.authResponseText = outcome.message;
      if (storedCredential !== null) payment.storedCredential = storedCredential;
      if (outcome.kind === 'unknown') {
        // Left pending: a later fetch asks the gateway for the attempt by its key.
        await payments.save(payment);
        return { intent, payment };
      }
      intent.updatedAt = now;
      if (outcome.kind === 'declined') {
        payment.status = 'failed';
        intent.status = 'failed';
      } else {
        const approved = outcome.amountApproved;
        payment.amountAuthorized = approved;
        intent.amountAuthorized = approved;
        if (intent.capture) {
          payment.status = 'captured';
          payment.amountCaptured = approved;
          intent.amountCaptured = approved;
          intent.status = 'captured';
          intent.capturedAt = now;
        } else {
          payment.status = 'uncaptured';
          intent.status = 'uncaptured';
        }
      }
      await payments.save(payment);
      await em.save(intent);
      if (outcome.kind !== 'declined' && options.onApproved) {
        await options.onApproved(em, intent, payment);
      }
      return { intent, payment };
    });
  }

  /** Settles a payment whose outcome was lost, by looking the attempt up. Never charges. */
  private async resolvePending(intent: PaymentIntent): Promise<void> {
    if (intent.latestPaymentId === null) return;
    const payment = await this.dataSource
      .getRepository(IntentPayment)
      .findOneBy({ merchantId: intent.merchantId, id: intent.latestPaymentId });
    if (!payment || payment.status !== 'pending' || payment.processorId === null) return;
    const age = this.clock.now().getTime() - payment.updatedAt.getTime();
    if (payment.transactionId === null && payment.responseCode === 0 && age < STALE_PENDING_MS) {
      // Either still being charged by its request, or its answer was lost moments ago.
      if (payment.updatedAt.getTime() === payment.createdAt.getTime()) return;
    }
    try {
      const lookup = await this.gateway.findAttempt(payment.merchantId, payment.processorId, {
        idempotencyKey: payment.gatewayIdempotencyKey ?? '',
        amount: payment.amount,
        since: payment.createdAt,
      });
      if (lookup.kind === 'found') {
        await this.recordOutcome(payment.merchantId, payment.id, lookup.outcome, null, {
          credential: 'one_off',
        });
      } else if (lookup.kind === 'not_found' && age >= STALE_PENDING_MS) {
        await this.recordOutcome(
          payment.merchantId,
          payment.id,
          {
            kind: 'declined',
            transactionId: null,
            responseCode: 0,
            message: 'the payment did not reach the processor',
            declineKind: null,
            amountRequested: payment.amount,
            amountApproved: 0,
            status: 'declined',
            avsResponseCode: null,
            cvvResponseCode: null,
            authCode: null,
          },
          null,
          { credential: 'one_off' },
        );
      }
    } catch (err) {
      this.logger.warn(
        { paymentId: payment.id, err: (err as Error).message },
        'could not resolve payment',
      );
    }
  }

  async listPayments(caller: V1Caller, intentId: string, cursor: CursorQuery) {
    await this.find(caller.accountId, intentId);
    const qb = this.dataSource
      .getRepository(IntentPayment)
      .createQueryBuilder('p')
      .where('p.merchantId = :m AND p.paymentIntentId = :i', { m: caller.accountId, i: intentId });
    const page = await cursorPage(qb, 'p', cursor);
    const settlements = await this.gateway.settlements(
      caller.accountId,
      page.rows.map((p) => p.transactionId).filter((x): x is string => x !== null),
    );
    const methods = await this.methodsOf(caller.accountId, page.rows);
    return {
      data: page.rows.map((p) =>
        paymentView(p, settlements, methods.get(p.paymentMethodId ?? '') ?? null),
      ),
      meta: page.meta,
    };
  }

  async latestPayment(intent: PaymentIntent): Promise<IntentPayment | null> {
    if (intent.latestPaymentId === null) return null;
    return this.dataSource
      .getRepository(IntentPayment)
      .findOneBy({ merchantId: intent.merchantId, id: intent.latestPaymentId });
  }

  async paymentViewOf(merchantId: string, payment: IntentPayment) {
    const settlements = await this.gateway.settlements(
      merchantId,
      payment.transactionId ? [payment.transactionId] : [],
    );
    const method = payment.paymentMethodId
      ? await this.methods.get(merchantId, payment.paymentMethodId)
      : null;
    return paymentView(payment, settlements, method);
  }

  // ---- follow-ups: capture, cancel, refund -------------------------------------------

  /**
   * The intent's one live payment, with the intent row locked. Follow-ups on an intent run
   * one at a time under this lock, so two captures (or a capture and a cancel) cannot both
   * reach the gateway.
   */
  private async livePayment(em: EntityManager, intent: PaymentIntent): Promise<IntentPayment> {
    const payment =
      intent.latestPaymentId === null
        ? null
        : await em
            .getRepository(IntentPayment)
            .findOneBy({ merchantId: intent.merchantId, id: intent.latestPaymentId });
    if (!payment) throw new ConflictError('payment intent has no payment');
    return payment;
  }

  async capture(
    caller: V1Caller,
    id: string,
    amount: number | null,
    external: ExternalResponse | null = null,
  ): Promise<IntentView> {
    await this.dataSource.transaction(async (em) => {
      const intent = await this.find(caller.accountId, id, em, true);
      this.assertMode(intent, external);
      const refusal = intentRefusal(intent.status, 'capture');
      if (refusal) throw new ConflictError(refusal);
      const payment = await this.livePayment(em, intent);
      const toCapture = amount ?? payment.amountAuthorized;
      if (toCapture > payment.amountAuthorized) {
        throw new ValidationError(
          'amount',
          `must not exceed the authorized amount (${payment.amountAuthorized})`,
        );
      }
      if (!intent.external) {
        const result = await this.gateway.capture(
          caller.accountId,
          payment.processorId!,
          payment.transactionId!,
          toCapture,
        );
        this.assertFollowUp(result, 'capture');
      }
      const now = this.clock.now();
      if (external) {
        payment.gatewayResponse = { ...payment.gatewayResponse, capture: external.gatewayResponse };
      }
      Object.assign(payment, {
        status: 'captured',
        amountCaptured: toCapture,
        amountVoided: payment.amountAuthorized - toCapture,
        updatedAt: now,
      });
      Object.assign(intent, {
        status: 'captured',
        amountCaptured: toCapture,
        amountVoided: intent.amountAuthorized - toCapture,
        capturedAt: now,
        updatedAt: now,
      });
      await em.save(payment);
      await em.save(intent);
    });
    return this.get(caller, id);
  }

  async cancel(
    caller: V1Caller,
    id: string,
    reason: CancellationReason | null,
    external: ExternalResponse | null = null,
  ): Promise<IntentView> {
    await this.dataSource.transaction(async (em) => {
      const intent = await this.find(caller.accountId, id, em, true);
      this.assertMode(intent, external);
      const refusal = intentRefusal(intent.status, 'cancel');
      if (refusal) throw new ConflictError(refusal);
      const now = this.clock.now();
      if (intent.status === 'uncaptured') {
        const payment = await this.livePayment(em, intent);
        if (!intent.external) {
          const result = await this.gateway.void(
            caller.accountId,
            payment.processorId!,
            payment.transactionId!,
          );
          this.assertFollowUp(result, 'void');
        }
        if (external && external.gatewayResponse !== null) {
          payment.gatewayResponse = { ...payment.gatewayResponse, void: external.gatewayResponse };
        }
        Object.assign(payment, {
          status: 'voided',
          amountVoided: payment.amountAuthorized,
          updatedAt: now,
        });
        await em.save(payment);
        intent.amountVoided = intent.amountAuthorized;
      }
      Object.assign(intent, {
        status: 'cancelled',
        cancellationReason: reason,
        cancelledAt: now,
        updatedAt: now,
      });
      await em.save(intent);
    });
    return this.get(caller, id);
  }

  /** External intents follow up through /v1/external, Rebill's through the gateway. */
  assertMode(intent: PaymentIntent, external: ExternalResponse | null): void {
    if (intent.external && external === null) {
      throw new ConflictError(
        'payment intent is external (its money moved elsewhere): use /v1/external/payment_intents',
      );
    }
    if (!intent.external && external !== null) {
      throw new ConflictError(
        'payment intent is not external: its payment is a Rebill gateway transaction; use /v1/payment_intents',
      );
    }
  }

  private assertFollowUp(
    result: Awaited<ReturnType<GatewayPayments['capture']>>,
    what: string,
  ): void {
    if (result.kind === 'done') return;
    if (result.kind === 'refused') {
      throw new ConflictError(`the gateway refused the ${what}: ${result.message}`);
    }
    // No answer: nothing is recorded here; the same request may be sent again.
    throw new ConflictError(
      `the gateway did not answer the ${what} (${result.reason}); nothing was recorded: try again`,
    );
  }

  /**
   * A refund of the captured payment, partial or full, never above what is left. Before
   * the payment's transaction settles, only a full refund is possible, as a void.
   */
  async refund(
    caller: V1Caller,
    id: string,
    amount: number | null,
    external: ExternalResponse | null = null,
  ) {
    const refund = await this.dataSource.transaction(async (em) => {
      const intent = await this.find(caller.accountId, id, em, true);
      this.assertMode(intent, external);
      const refusal = intentRefusal(intent.status, 'refund');
      if (refusal) throw new ConflictError(refusal);
      const payment = await this.livePayment(em, intent);
      const remaining = payment.amountCaptured - payment.amountRefunded;
      if (remaining <= 0) {
        throw new ConflictError(
          'payment intent has been refunded in full: nothing is left to refund',
        );
      }
      const toRefund = amount ?? remaining;
      if (toRefund > remaining) {
        throw new ValidationError(
          'amount',
          `must not exceed the captured amount not yet refunded (${remaining} of ${payment.amountCaptured})`,
        );
      }
      const now = this.clock.now();
      const row = em.getRepository(PaymentRefund).create({
        id: newId(),
        merchantId: caller.accountId,
        paymentIntentId: intent.id,
        paymentId: payment.id,
        amount: toRefund,
        status: 'succeeded',
        method: 'refund',
        external: false,
        transactionId: null,
        gatewayResponse: null,
        createdAt: now,
        updatedAt: now,
      });
      const settled = external
        ? undefined
        : (await this.gateway.settlements(caller.accountId, [payment.transactionId!])).get(
            payment.transactionId!,
          );
      if (external) {
        Object.assign(row, {
          method: 'external',
          external: true,
          gatewayResponse: external.gatewayResponse,
        });
      } else if (settled !== undefined && !settled.settled) {
        if (toRefund !== payment.amountCaptured) {
          throw new ConflictError(
            'payment has not settled yet: before settlement only a refund of the full amount (a void) is possible; refund part of it after settlement',
          );
        }
        this.assertFollowUp(
          await this.gateway.void(caller.accountId, payment.processorId!, payment.transactionId!),
          'void',
        );
        row.method = 'void';
        row.transactionId = payment.transactionId;
      } else {
        const result = await this.gateway.refund(
          caller.accountId,
          payment.processorId!,
          payment.transactionId!,
          toRefund,
        );
        this.assertFollowUp(result, 'refund');
        row.transactionId = result.kind === 'done' ? (result.transaction?.id ?? null) : null;
      }
      await em.getRepository(PaymentRefund).save(row);
      payment.amountRefunded += toRefund;
      payment.updatedAt = now;
      intent.amountRefunded += toRefund;
      intent.updatedAt = now;
      await em.save(payment);
      await em.save(intent);
      return row;
    });
    return this.refundViewOf(caller.accountId, refund);
  }

  async getRefund(caller: V1Caller, id: string) {
    const refund = await this.dataSource
      .getRepository(PaymentRefund)
      .findOneBy({ merchantId: caller.accountId, id });
    if (!refund) throw new NotFoundError('refund', id);
    return this.refundViewOf(caller.accountId, refund);
  }

  async refundViewOf(merchantId: string, refund: PaymentRefund) {
    const settlements: Map<string, TransactionSettlement> = await this.gateway.settlements(
      merchantId,
      refund.transactionId ? [refund.transactionId] : [],
    );
    return refundView(refund, settlements);
  }
}
