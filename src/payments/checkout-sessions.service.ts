import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource, EntityManager } from 'typeorm';
import { VaultPaymentMethods, StoredPaymentMethod } from '../gateway/vault/payment-methods.port';
import { chargeFor, FeeNotice, feeNotice } from '../invoices/hosted-page/payment-fees';
import { HostedUrls } from '../invoices/hosted-urls';
import { EventLog } from '../events/event-log';
import { Clock, CLOCK } from '../platform/clock/clock';
import { moneyFormat } from '../platform/money/currency';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors/errors';
import { newId, newSecretToken } from '../platform/ids/ids';
import { ProcessorsService, toProcessorSettings } from '../processors/processors.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { cursorPage, CursorQuery } from './api/pagination';
import type { V1Caller } from './api/v1-auth';
import { PARTNER_ID } from './api/v1-auth';
import type { CheckoutCreate, PaymentCreate } from './payment-input';
import { PaymentIntentsService } from './payment-intents.service';
import { checkoutSessionView } from './payment-views';
import { CheckoutSession, IntentPayment, PaymentIntent } from './payment.entities';

/** A second submission waits up to 15 s for the first one's outcome. */
const WAIT_POLL_MS = 200;
const WAIT_POLLS = 75;
/** A session expires 24 hours after creation unless it says otherwise. */
const DEFAULT_EXPIRY_MS = 24 * 60 * 60 * 1000;

export type SessionPayOutcome =
  | { kind: 'paid'; session: CheckoutSession; payment: IntentPayment }
  | { kind: 'declined'; session: CheckoutSession; payment: IntentPayment; message: string }
  /** Still being charged (a lost answer): the page asks to come back, never to pay again. */
  | { kind: 'processing'; session: CheckoutSession };

/**
 * Checkout sessions: what a hosted checkout page sells, for how long, and where the
 * customer goes afterwards. Paying creates the session's payment intent (one per session)
 * and pays it through PaymentIntentsService, whose approved-outcome transaction also
 * completes the session and, for a subscription checkout, creates the subscription.
 */
@Injectable()
export class CheckoutSessionsService {
  private readonly logger = new Logger(CheckoutSessionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly intents: PaymentIntentsService,
    private readonly methods: VaultPaymentMethods,
    private readonly processors: ProcessorsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly urls: HostedUrls,
    private readonly eventLog: EventLog,
  ) {}

  /** checkout_session.completed / .expired, in the transaction that changed the session. */
  private async recordEvent(
    em: EntityManager,
    session: CheckoutSession,
    type: 'checkout_session.completed' | 'checkout_session.expired',
  ): Promise<void> {
    await this.eventLog.record(em, [
      {
        merchantId: session.merchantId,
        type,
        objectType: 'checkout_session',
        objectId: session.id,
        data: this.view(session),
      },
    ]);
  }

  url(session: CheckoutSession): string {
    return `${this.urls.base()}/checkout/${session.publicToken}`;
  }

  view(session: CheckoutSession) {
    return checkoutSessionView(session, this.url(session));
  }

  async create(caller: V1Caller, input: CheckoutCreate) {
    if (input.subscription !== null) {
      if (!(await this.subscriptions.planExists(caller.accountId, input.subscription.plan_id))) {
        throw new ValidationError(
          'subscription.plan_id',
          `plan ${input.subscription.plan_id} does not exist`,
        );
      }
    }
    const now = this.clock.now();
    const repo = this.dataSource.getRepository(CheckoutSession);
    const session = repo.create({
      id: newId(),
      merchantId: caller.accountId,
      businessId: caller.businessId,
      status: 'open',
      publicToken: newSecretToken(24),
      cancelUrl: input.cancelUrl,
      successUrl: input.successUrl,
      customerEmail: input.customerEmail,
      referenceId: input.referenceId,
      userFields: input.userFields,
      paymentMethodTypes: input.paymentMethodTypes,
      paymentIntentData: input.paymentIntentDataRaw,
      subtotal: input.subtotal,
      discountAmount: input.discountAmount,
      paymentIntentId: null,
      subscription: input.subscription,
      subscriptionId: null,
      customerId: null,
      expiresAt: input.expiresAt ?? new Date(now.getTime() + DEFAULT_EXPIRY_MS),
      completedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await repo.save(session);
    return this.view(session);
  }

  /** Sessions past `expires_at` become `expired` when next read (the clock is injected). */
  private async expireIfDue(session: CheckoutSession): Promise<CheckoutSession> {
    if (session.status !== 'open' || this.clock.now() < session.expiresAt) return session;
    return this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, session.merchantId, session.id);
      if (locked.status !== 'open' || this.clock.now() < locked.expiresAt) return locked;
      await this.closeExpired(em, locked, true);
      return locked;
    });
  }

  /**
   * Expires the open sessions whose `expires_at` has passed, so checkout_session.expired goes
   * out at expiry, not only when a session is next read. Rows another worker holds are
   * skipped; a session with a payment in flight waits for its outcome. Returns how many
   * expired.
   */
  async expireDue(limit = 200): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const due = await em
        .getRepository(CheckoutSession)
        .createQueryBuilder('s')
        .where("s.status = 'open' AND s.expires_at <= :now", { now: this.clock.now() })
        .orderBy('s.expires_at')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      let expired = 0;
      for (const session of due) {
        await this.closeExpired(em, session, true);
        if (session.status === 'expired') expired++;
      }
      return expired;
    });
  }

  @Cron(CronExpression.EVERY_MINUTE)
  async expireDueOnSchedule(): Promise<void> {
    try {
      const n = await this.expireDue();
      if (n > 0) this.logger.log({ expired: n }, 'checkout sessions expired');
    } catch (err) {
      this.logger.error({ err }, 'expiring checkout sessions failed');
    }
  }

  private async closeExpired(em: EntityManager, session: CheckoutSession, lenient: boolean) {
    if (session.paymentIntentId !== null) {
      const intent = await em.getRepository(PaymentIntent).findOne({
        where: { merchantId: session.merchantId, id: session.paymentIntentId },
        lock: { mode: 'pessimistic_write' },
      });
      if (intent && intent.status === 'pending') {
        // A payment is in flight: its outcome decides; the session expires after.
        if (lenient) return;
        throw new ConflictError('checkout session has a payment in progress: it cannot expire now');
      }
      if (intent && (intent.status === 'created' || intent.status === 'failed')) {
        Object.assign(intent, {
          status: 'cancelled',
          cancellationReason: 'abandoned',
          cancelledAt: this.clock.now(),
          updatedAt: this.clock.now(),
        });
        await em.save(intent);
      }
    }
    session.status = 'expired';
    session.updatedAt = this.clock.now();
    await em.save(session);
    await this.recordEvent(em, session, 'checkout_session.expired');
  }

  private async lock(em: EntityManager, merchantId: string, id: string): Promise<CheckoutSession> {
    const session = await em
      .getRepository(CheckoutSession)
      .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
    if (!session) throw new NotFoundError('checkout session', id);
    return session;
  }

  async find(merchantId: string, id: string): Promise<CheckoutSession> {
    const session = await this.dataSource
      .getRepository(CheckoutSession)
      .findOneBy({ merchantId, id });
    if (!session) throw new NotFoundError('checkout session', id);
    return this.expireIfDue(session);
  }

  /** The session behind a hosted page token, or null (unknown tokens and others alike). */
  async findByToken(token: string): Promise<CheckoutSession | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const session = await this.dataSource
      .getRepository(CheckoutSession)
      .findOneBy({ publicToken: token });
    return session ? this.expireIfDue(session) : null;
  }

  async get(caller: V1Caller, id: string) {
    return this.view(await this.find(caller.accountId, id));
  }

  async list(caller: V1Caller, cursor: CursorQuery) {
    const qb = this.dataSource
      .getRepository(CheckoutSession)
      .createQueryBuilder('s')
      .where('s.merchantId = :m', { m: caller.accountId });
    if (caller.businessId !== null) qb.andWhere('s.businessId = :b', { b: caller.businessId });
    const page = await cursorPage(qb, 's', cursor);
    const rows = [];
    for (const row of page.rows) rows.push(await this.expireIfDue(row));
    return { data: rows.map((s) => this.view(s)), meta: page.meta };
  }

  async expire(caller: V1Caller, id: string) {
    await this.find(caller.accountId, id);
    const session = await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, caller.accountId, id);
      if (locked.status !== 'open') {
        throw new ConflictError(
          `checkout session is ${locked.status}: only an open session can be expired`,
        );
      }
      await this.closeExpired(em, locked, false);
      return locked;
    });
    return this.view(session);
  }

  /**
   * Completes an open session that needs no (more) payment: one whose payment intent is
   * paid, or whose total is 0 (a fully discounted checkout). Paying completes a session by
   * itself; this is the API's way to close the others.
   */
  async complete(caller: V1Caller, id: string) {
    await this.find(caller.accountId, id);
    const session = await this.dataSource.transaction(async (em) => {
      const locked = await this.lock(em, caller.accountId, id);
      if (locked.status !== 'open') {
        throw new ConflictError(
          `checkout session is ${locked.status}: only an open session can be completed`,
        );
      }
      const intent =
        locked.paymentIntentId === null
          ? null
          : await em.getRepository(PaymentIntent).findOneBy({ id: locked.paymentIntentId });
      const paid =
        intent !== null && (intent.status === 'captured' || intent.status === 'uncaptured');
      const total = locked.subtotal - locked.discountAmount;
      if (!paid && total > 0) {
        throw new ConflictError(
          `checkout session has not been paid: ${total} is due; pay it on its page or with POST /v1/checkout_sessions/${id}/payments`,
        );
      }
      if (locked.subscription !== null && !paid) {
        throw new ConflictError(
          'checkout session signs the customer up to a plan: it completes with its payment',
        );
      }
      Object.assign(locked, {
        status: 'complete',
        completedAt: this.clock.now(),
        updatedAt: this.clock.now(),
      });
      await em.save(locked);
      await this.recordEvent(em, locked, 'checkout_session.completed');
      return locked;
    });
    return this.view(session);
  }

  // ---- paying ------------------------------------------------------------------------

  /** What the page shows about fees for the session's total. */
  async feeNoticeFor(session: CheckoutSession): Promise<FeeNotice> {
    const processor = toProcessorSettings(await this.processors.resolve(session.merchantId, null));
    const total = session.subtotal - session.discountAmount;
    return feeNotice(
      total,
      moneyFormat('USD'),
      session.paymentMethodTypes.includes('card') ? processor : null,
      session.paymentMethodTypes.includes('bank') ? processor : null,
      null,
    );
  }

  /**
   * The session's payment intent, created on its first payment: `merchant_amount` is the
   * session's total (subtotal − discount_amount) and `amount` what the method is charged,
   * the processor's fee program applied (a surcharge on credit cards, say).
   */
  private async prepareIntent(
    merchantId: string,
    sessionId: string,
    method: StoredPaymentMethod,
  ): Promise<{ session: CheckoutSession; intent: PaymentIntent }> {
    return this.dataSource.transaction(async (em) => {
      const session = await this.lock(em, merchantId, sessionId);
      if (session.status === 'open' && this.clock.now() >= session.expiresAt) {
        await this.closeExpired(em, session, true);
      }
      if (session.status !== 'open') {
        throw new ConflictError(`checkout session is ${session.status}: it cannot be paid`);
      }
      const type = method.type === 'card' ? 'card' : 'bank';
      if (!session.paymentMethodTypes.includes(type)) {
        throw new ValidationError(
          'payment_method_id',
          `is a ${type} payment method; this checkout accepts ${session.paymentMethodTypes.join(', ')}`,
        );
      }
      const total = session.subtotal - session.discountAmount;
      if (total === 0) {
        throw new ConflictError('checkout session has nothing to pay: complete it instead');
      }
      const processor = toProcessorSettings(await this.processors.resolve(merchantId, null, em));
      const charge = chargeFor(
        total,
        method.type === 'card'
          ? { kind: 'card', cardNumber: method.maskedNumber.slice(0, 6) }
          : { kind: 'ach' },
        processor,
        method.billingDetails.address.state,
      );
      let intent: PaymentIntent;
      if (session.paymentIntentId === null) {
        const data = session.paymentIntentData;
        intent = await this.intents.create(
          {
            accountId: merchantId,
            partnerId: PARTNER_ID,
            businessId: session.businessId,
            keyKind: 'private',
          },
          {
            amount: charge.charged,
            merchantAmount: total,
            paymentSplits: null,
            orderDetails: (data.order_details as Record<string, unknown> | undefined) ?? null,
            capture: data.capture !== false,
            currency: 'USD',
            referenceId: (data.reference_id as string | undefined) ?? session.referenceId,
            userFields:
              (data.user_fields as Record<string, unknown> | undefined) ?? session.userFields,
            description: (data.description as string | undefined) ?? null,
            paymentMethodTypes: session.paymentMethodTypes,
          },
          { checkoutSessionId: session.id },
          em,
        );
        session.paymentIntentId = intent.id;
        session.updatedAt = this.clock.now();
        await em.save(session);
      } else {
        intent = await this.intents.find(merchantId, session.paymentIntentId, em, true);
        if (intent.status === 'created' || intent.status === 'failed') {
          // Another method may carry other fees: the next attempt charges its own amount.
          intent.amount = charge.charged;
          intent.updatedAt = this.clock.now();
          await em.save(intent);
        }
      }
      return { session, intent };
    });
  }

  /** Pays the session with a vaulted payment method (the page, or the JS SDK's call). */
  async pay(
    merchantId: string,
    sessionId: string,
    input: PaymentCreate,
  ): Promise<SessionPayOutcome> {
    const method = await this.methods.get(merchantId, input.paymentMethodId);
    if (!method) throw new NotFoundError('payment method', input.paymentMethodId);
    const { session, intent } = await this.prepareIntent(merchantId, sessionId, method);
    if (intent.status === 'pending') return this.awaitOutcome(session);
    let result;
    try {
      result = await this.intents.pay(merchantId, intent.id, input, {
        credential: session.subscription !== null ? 'start_series' : 'one_off',
        onApproved: (em, paidIntent, payment) =>
          this.onApproved(em, session.id, paidIntent, payment),
      });
    } catch (err) {
      // A second submission racing the first: wait for the first one's outcome.
      if (err instanceof ConflictError && /is (pending|captured|uncaptured)/.test(err.message)) {
        return this.awaitOutcome(session);
      }
      throw err;
    }
    return this.outcomeOf(session.id, merchantId, result.payment);
  }

  private async outcomeOf(
    sessionId: string,
    merchantId: string,
    payment: IntentPayment,
  ): Promise<SessionPayOutcome> {
    const session = await this.dataSource
      .getRepository(CheckoutSession)
      .findOneByOrFail({ merchantId, id: sessionId });
    if (payment.status === 'captured' || payment.status === 'uncaptured') {
      return { kind: 'paid', session, payment };
    }
    if (payment.status === 'failed') {
      return {
        kind: 'declined',
        session,
        payment,
        message: payment.authResponseText ?? 'declined',
      };
    }
    return { kind: 'processing', session };
  }

  private async awaitOutcome(session: CheckoutSession): Promise<SessionPayOutcome> {
    for (let polls = 0; polls < WAIT_POLLS; polls++) {
      const fresh = await this.dataSource
        .getRepository(CheckoutSession)
        .findOneByOrFail({ id: session.id });
      if (fresh.status === 'complete') {
        const intent = await this.intents.find(fresh.merchantId, fresh.paymentIntentId!);
        const payment = await this.dataSource
          .getRepository(IntentPayment)
          .findOneByOrFail({ id: intent.latestPaymentId! });
        return { kind: 'paid', session: fresh, payment };
      }
      if (fresh.paymentIntentId !== null) {
        const intent = await this.intents.find(fresh.merchantId, fresh.paymentIntentId);
        if (intent.status !== 'pending' && intent.latestPaymentId !== null) {
          const payment = await this.dataSource
            .getRepository(IntentPayment)
            .findOneByOrFail({ id: intent.latestPaymentId });
          if (payment.status === 'failed')
            return this.outcomeOf(fresh.id, fresh.merchantId, payment);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
    return { kind: 'processing', session };
  }

  /**
   * In the approved payment's transaction: the session completes and, for a subscription
   * checkout, the customer is signed up with the payment's vaulted method; that payment is
   * the customer-initiated start of the stored-credential series, so renewals are MIT.
   */
  private async onApproved(
    em: EntityManager,
    sessionId: string,
    intent: PaymentIntent,
    payment: IntentPayment,
  ): Promise<void> {
    const session = await this.lock(em, intent.merchantId, sessionId);
    if (session.status === 'complete') return;
    const now = this.clock.now();
    session.status = 'complete';
    session.completedAt = now;
    session.updatedAt = now;
    session.customerId = payment.customerId;
    if (session.subscription !== null && payment.customerId && payment.paymentMethodId) {
      // A savepoint: should the plan be gone by now, the payment is still recorded (the
      // money moved); the session then shows no subscription_id, and the log says why.
      await em.query('SAVEPOINT checkout_subscription');
      try {
        const created = await this.subscriptions.subscribeToPlan(
          em,
          intent.merchantId,
          {
            planId: session.subscription.plan_id,
            customerId: payment.customerId,
            paymentMethodId: payment.paymentMethodId,
            paymentMethodType: payment.paymentMethodType === 'bank' ? 'ach' : 'card',
            ...(payment.processorId ? { processorId: payment.processorId } : {}),
            ...(session.subscription.description
              ? { description: session.subscription.description }
              : {}),
          },
          'system',
        );
        await em.query('RELEASE SAVEPOINT checkout_subscription');
        session.subscriptionId = created.id;
      } catch (err) {
        await em.query('ROLLBACK TO SAVEPOINT checkout_subscription');
        this.logger.error(
          { sessionId, err: (err as Error).message },
          'checkout paid but the subscription could not be created',
        );
      }
    }
    await em.save(session);
    await this.recordEvent(em, session, 'checkout_session.completed');
  }
}
