import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { insertMany } from '../platform/database/bulk-insert';
import { Merchant } from '../accounts/merchant.entity';
import { sumCents } from '../billing-calc';
import { overdueFrom } from '../billing-calc/calendar';
import { VaultAddress, VaultCustomer } from '../gateway/vault/vault.entities';
import { EventLog } from '../events/event-log';
import { Clock, CLOCK } from '../platform/clock/clock';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors/errors';
import { newId, newSecretToken } from '../platform/ids/ids';
import { ProcessorsService } from '../processors/processors.service';
import { HostedUrls } from './hosted-urls';
import { EmailExtras, InvoiceEmails, recipientOf } from './invoice-emails';
import {
  AddressRef,
  InvoiceDraft,
  parseInvoice,
  ParsedInvoice,
  totalsWithAmountPaid,
  validateAddress,
} from './invoice-draft';
import { InvoicePayment, InvoicePaymentSource } from './invoice-payment.entity';
import { InvoiceSearch, parseInvoiceSearch } from './invoice-search';
import {
  deleteRefusal,
  editRefusal,
  effectiveStatus,
  paymentRefusal,
  settledStatus,
  voidRefusal,
} from './invoice-status';
import { Invoice, InvoiceAddress, StoredInvoiceItem } from './invoice.entity';
import { invoiceAsRequest, invoiceView } from './invoices.views';
import { InvoicePdfService } from './pdf/invoice-pdf.service';

/** What a create or update tells the caller beyond the invoice: e.g. that no SMS was sent. */
export interface InvoiceResult {
  invoice: Invoice;
  notices: string[];
}

export interface PaymentToRecord {
  /** The gateway transaction; a second call with the same id changes nothing. */
  transactionId: string;
  /** What the payment takes off the amount due, in cents. */
  amount: number;
  /** A fee program's card fee charged on top, in cents. */
  surcharge?: number;
  /** The processor's service fee charged on top, in cents. */
  serviceFee?: number;
  /** What the transaction charged in all; amount + surcharge + service fee when absent. */
  chargedAmount?: number;
  method?: 'card' | 'ach' | string;
  maskedAccount?: string;
  processorId?: string | null;
  responseText?: string;
}

/** A payment as it is taken off an invoice. */
export interface AppliedPayment {
  amount: number;
  surcharge: number;
  serviceFee: number;
  source: InvoicePaymentSource;
  transactionId: string | null;
}

/** What a payment listener hears: the invoice after the payment, and the payment. */
export interface InvoicePaymentEvent {
  invoice: Invoice;
  amount: number;
  /** hosted_page (the customer), mark_as_paid (the merchant), recorded (recordPayment). */
  source: InvoicePaymentSource;
  transactionId: string | null;
}

export type InvoicePaymentListener = (
  em: EntityManager,
  event: InvoicePaymentEvent,
) => Promise<void>;

const SMS_NOTICE =
  'no text message was sent: SMS needs a provider and none is configured (send_via is recorded)';

export type InvoiceEventType =
  | 'invoice.created'
  | 'invoice.updated'
  | 'invoice.paid'
  | 'invoice.partially_paid'
  | 'invoice.payment_failed'
  | 'invoice.overdue'
  | 'invoice.voided'
  | 'invoice.deleted';

/** A unique index's name in a PostgreSQL unique violation. */
function violatedConstraint(err: unknown): string | null {
  const e = err as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = e.code ?? e.driverError?.code;
  if (code !== '23505') return null;
  return e.constraint ?? e.driverError?.constraint ?? '';
}

/**
 * Invoices: the API's rules, and the entry points the billing run uses inside its own
 * transactions (create, createForSubscriptionCycle, recordPayment, enqueueRenewalFailedEmail).
 * Amounts come from the calculation core (invoice-draft.ts → invoiceTotals).
 */
@Injectable()
export class InvoicesService {
  private readonly paymentListeners: InvoicePaymentListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly processors: ProcessorsService,
    private readonly emails: InvoiceEmails,
    private readonly urls: HostedUrls,
    private readonly eventLog: EventLog,
    private readonly pdfs: InvoicePdfService,
  ) {}

  /**
   * Records an invoice event (docs/webhooks.md) with the invoice as GET shows it, inside the
   * caller's transaction.
   */
  async recordEvent(em: EntityManager, invoice: Invoice, type: InvoiceEventType): Promise<void> {
    await this.recordEvents(em, [{ invoice, type }]);
  }

  /** Records many invoice events in one call of the event log (a billing batch's invoices). */
  async recordEvents(
    em: EntityManager,
    events: readonly { invoice: Invoice; type: InvoiceEventType }[],
  ): Promise<void> {
    if (events.length === 0) return;
    const now = this.clock.now();
    await this.eventLog.record(
      em,
      events.map(({ invoice, type }) => ({
        merchantId: invoice.merchantId,
        type,
        objectType: 'invoice',
        objectId: invoice.id,
        data: invoiceView(invoice, now, this.hostedUrl(invoice)),
      })),
    );
  }

  hostedUrl(invoice: Invoice): string {
    return this.urls.invoicePage(invoice.publicToken);
  }

  // ---- reading ---------------------------------------------------------------------

  /** A live invoice of the merchant (deleted ones are gone), or 404. */
  async get(merchantId: string, id: string, em?: EntityManager): Promise<Invoice> {
    const invoice = await (em ?? this.dataSource.manager)
      .getRepository(Invoice)
      .findOneBy({ merchantId, id });
    if (!invoice || invoice.deletedAt !== null) throw new NotFoundError('invoice', id);
    return invoice;
  }

  /** Locks the invoice row until the transaction ends; 404 when it is not the merchant's. */
  async lock(em: EntityManager, merchantId: string, id: string): Promise<Invoice> {
    const invoice = await em
      .getRepository(Invoice)
      .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
    if (!invoice || invoice.deletedAt !== null) throw new NotFoundError('invoice', id);
    return invoice;
  }

  async search(
    merchantId: string,
    body: Record<string, unknown>,
  ): Promise<{ invoices: Invoice[]; total: number }> {
    const search: InvoiceSearch = parseInvoiceSearch(
      body,
      await this.timeZoneOf(this.dataSource.manager, merchantId),
    );
    const now = this.clock.now();
    const qb = this.dataSource
      .getRepository(Invoice)
      .createQueryBuilder('i')
      .where('i.merchant_id = :merchantId', { merchantId })
      .andWhere('i.deleted_at IS NULL');
    if (search.id) {
      qb.andWhere(search.id.operator === '=' ? 'i.id = :id' : 'i.id <> :id', {
        id: search.id.value,
      });
    }
    if (search.amountDue) {
      const op = { '=': '=', '!=': '<>', '<': '<', '>': '>' }[search.amountDue.operator];
      qb.andWhere(`i.amount_due ${op} :amountDue`, { amountDue: String(search.amountDue.value) });
    }
    if (search.dateDue?.start) qb.andWhere('i.date_due >= :start', { start: search.dateDue.start });
    if (search.dateDue?.end) qb.andWhere('i.date_due <= :end', { end: search.dateDue.end });
    if (search.customerId)
      qb.andWhere('i.customer_id = :customerId', { customerId: search.customerId });
    if (search.customerNumber) {
      qb.andWhere('i.customer_number = :customerNumber', { customerNumber: search.customerNumber });
    }
    if (search.invoiceNumber) {
      qb.andWhere('i.invoice_number = :invoiceNumber', { invoiceNumber: search.invoiceNumber });
    }
    if (search.statuses) {
      // overdue is derived: an open invoice whose due day has ended (overdue_at).
      const clauses = search.statuses.map((status) => {
        switch (status) {
          case 'overdue':
            return `(i.status IN ('pending', 'partially_paid') AND i.overdue_at <= :now)`;
          case 'pending':
            return `(i.status = 'pending' AND i.overdue_at > :now)`;
          case 'partially_paid':
            return `(i.status = 'partially_paid' AND i.overdue_at > :now)`;
          case 'paid':
            return `i.status = 'paid'`;
          case 'cancelled':
            return `i.status = 'cancelled'`;
        }
      });
      qb.andWhere(`(${clauses.join(' OR ')})`, { now });
    }
    const [invoices, total] = await qb
      .orderBy('i.created_at', 'DESC')
      .addOrderBy('i.id', 'ASC')
      .take(search.limit)
      .skip(search.offset)
      .getManyAndCount();
    return { invoices, total };
  }

  // ---- creating ----------------------------------------------------------------------

  /** POST /api/invoice. */
  async createFromApi(merchantId: string, body: Record<string, unknown>): Promise<InvoiceResult> {
    return this.dataSource.transaction((em) => this.create(em, merchantId, body));
  }

  /**
   * Creates an invoice inside the caller's transaction, from a Create Invoice body (the
   * spec's fields). The new-invoice email, when send_via asks for one, is queued in the same
   * transaction.
   */
  async create(
    em: EntityManager,
    merchantId: string,
    body: Record<string, unknown>,
    cycle?: { subscriptionId: string; billingCycleKey: string },
  ): Promise<InvoiceResult> {
    // The billing run may have no addresses to give; the API requires both, as the spec does.
    const timeZone = await this.timeZoneOf(em, merchantId);
    const parsed = parseInvoice(body, { requireAddresses: cycle === undefined, timeZone });
    const draft = await this.checkReferences(em, merchantId, parsed);
    await this.checkNumberFree(em, merchantId, parsed.draft.invoiceNumber, null);
    const now = this.clock.now();
    const invoice = em.getRepository(Invoice).create({
      id: newInvoiceId(),
      merchantId,
      publicToken: newSecretToken(),
      subscriptionId: cycle?.subscriptionId ?? null,
      billingCycleKey: cycle?.billingCycleKey ?? null,
      rejectMessage: '',
      lastSentAt: null,
      reminderSentAt: null,
      overdueNoticeSentAt: null,
      overdueEventAt: null,
      paidAt: null,
      cancelledAt: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    applyDraft(invoice, draft, parsed, body, []);
    invoice.overdueAt = overdueFrom(invoice.dateDue, timeZone);
    invoice.status = settledStatus(invoice);
    if (invoice.status === 'paid') invoice.paidAt = now;
    try {
      await em.getRepository(Invoice).insert(invoice);
    } catch (err) {
      throw this.translateUniqueViolation(err, invoice);
    }
    const notices: string[] = [];
    if (invoice.sendVia === 'text' || invoice.sendVia === 'both') notices.push(SMS_NOTICE);
    // A subscription cycle's invoice is not announced: the customer hears of it as a receipt
    // when the renewal is charged, or with the payment link when it is declined.
    if (
      invoice.status !== 'paid' &&
      cycle === undefined &&
      (await this.emails.enqueue(em, 'invoice_new', invoice))
    ) {
      invoice.lastSentAt = now;
      await em.getRepository(Invoice).update({ id: invoice.id }, { lastSentAt: now });
    }
    await this.recordEvent(em, invoice, 'invoice.created');
    return { invoice, notices };
  }

  /**
   * For the billing run: the invoice of one subscription cycle, created once. Calling it again
   * for the same (subscription, cycle key) returns the invoice made the first time.
   */
  async createForSubscriptionCycle(
    em: EntityManager,
    merchantId: string,
    cycle: { subscriptionId: string; billingCycleKey: string },
    body: Record<string, unknown>,
  ): Promise<{ invoice: Invoice; created: boolean }> {
    const existing = await em.getRepository(Invoice).findOneBy({
      merchantId,
      subscriptionId: cycle.subscriptionId,
      billingCycleKey: cycle.billingCycleKey,
    });
    if (existing) return { invoice: existing, created: false };
    const { invoice } = await this.create(em, merchantId, body, cycle);
    return { invoice, created: true };
  }

  /**
   * For the billing run: the invoices of many subscription cycles, in a constant number of
   * statements (the existing ones, one multi-row insert). A cycle that already has its
   * invoice gets that one back. Each body is a Create Invoice body built by this module
   * (cycle-invoices.ts) from a typed draft, validated by the same rules as the API's.
   */
  async createForSubscriptionCycles(
    em: EntityManager,
    items: readonly {
      merchantId: string;
      cycle: { subscriptionId: string; billingCycleKey: string };
      body: Record<string, unknown>;
    }[],
  ): Promise<Invoice[]> {
    if (items.length === 0) return [];
    const existing: { id: string; subscription_id: string; billing_cycle_key: string }[] =
      await em.query(
        `SELECT i.id, i.subscription_id, i.billing_cycle_key FROM invoices i
           JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(merchant_id, subscription_id, cycle_key)
             ON i.merchant_id = u.merchant_id AND i.subscription_id = u.subscription_id
            AND i.billing_cycle_key = u.cycle_key`,
        [
          items.map((i) => i.merchantId),
          items.map((i) => i.cycle.subscriptionId),
          items.map((i) => i.cycle.billingCycleKey),
        ],
      );
    const found = new Map(
      existing.map((e) => [`${e.subscription_id}|${e.billing_cycle_key}`, e.id]),
    );
    const now = this.clock.now();
    const created: Invoice[] = [];
    // Dates without a time are days in each merchant's time zone.
    const zones = new Map(
      (
        await em
          .getRepository(Merchant)
          .findBy({ id: In([...new Set(items.map((i) => i.merchantId))]) })
      ).map((m) => [m.id, m.timezone]),
    );
    const result = items.map((item) => {
      const known = found.get(`${item.cycle.subscriptionId}|${item.cycle.billingCycleKey}`);
      if (known !== undefined) return { id: known } as Invoice;
      const timeZone = zones.get(item.merchantId) ?? 'UTC';
      const parsed = parseInvoice(item.body, { requireAddresses: false, timeZone });
      const address = (ref: AddressRef): InvoiceAddress => {
        if (ref.kind !== 'inline') throw new Error('cycle invoices carry their addresses inline');
        return ref.address;
      };
      const invoice = em.getRepository(Invoice).create({
        id: newInvoiceId(),
        merchantId: item.merchantId,
        publicToken: newSecretToken(),
        subscriptionId: item.cycle.subscriptionId,
        billingCycleKey: item.cycle.billingCycleKey,
        rejectMessage: '',
        lastSentAt: null,
        reminderSentAt: null,
        overdueNoticeSentAt: null,
        paidAt: null,
        cancelledAt: null,
        deletedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      applyDraft(
        invoice,
        {
          ...parsed.draft,
          payableToAddress: address(parsed.draft.payableTo),
          billToAddress: address(parsed.draft.billTo),
        },
        parsed,
        item.body,
        [],
      );
      invoice.overdueAt = overdueFrom(invoice.dateDue, timeZone);
      invoice.status = settledStatus(invoice);
      if (invoice.status === 'paid') invoice.paidAt = now;
      created.push(invoice);
      return invoice;
    });
    await insertMany(em, Invoice, created);
    await this.recordEvents(
      em,
      created.map((invoice) => ({ invoice, type: 'invoice.created' as const })),
    );
    return result;
  }

  /**
   * For the billing run: records many renewal charges against their invoices in a constant
   * number of statements (lock the invoices, find payments already recorded, insert the
   * payments, update the invoices, queue the receipts). Idempotent by transaction id.
   */
  async recordPayments(
    em: EntityManager,
    payments: readonly (PaymentToRecord & { merchantId: string; invoiceId: string })[],
  ): Promise<void> {
    if (payments.length === 0) return;
    const invoices = new Map(
      (
        await em
          .getRepository(Invoice)
          .createQueryBuilder('i')
          .where('i.id = ANY(:ids)', { ids: payments.map((p) => p.invoiceId) })
          .orderBy('i.id')
          .setLock('pessimistic_write')
          .getMany()
      ).map((i) => [i.id, i]),
    );
    const already = new Set(
      (
        (await em.query(
          `SELECT transaction_id AS "transactionId" FROM invoice_payments WHERE transaction_id = ANY($1::text[])`,
          [payments.map((p) => p.transactionId)],
        )) as { transactionId: string }[]
      ).map((p) => p.transactionId),
    );
    const now = this.clock.now();
    const rows: InvoicePayment[] = [];
    const changed: Invoice[] = [];
    const receipts: { kind: 'invoice_receipt'; invoice: Invoice; extras: EmailExtras }[] = [];
    const events: InvoicePaymentEvent[] = [];
    for (const payment of payments) {
      const invoice = invoices.get(payment.invoiceId);
      if (!invoice || invoice.merchantId !== payment.merchantId || invoice.deletedAt !== null)
        throw new NotFoundError('invoice', payment.invoiceId);
      if (already.has(payment.transactionId)) continue;
      const refusal = paymentRefusal(invoice.status);
      if (refusal) throw new ConflictError(refusal);
      const amount = Math.min(payment.amount, invoice.amountDue);
      if (!Number.isSafeInteger(amount) || amount <= 0) {
        throw new ValidationError(
          'amount',
          `must be from 1 to the amount due (${invoice.amountDue})`,
        );
      }
      const surcharge = (payment.surcharge ?? 0) + (payment.amount - amount);
      rows.push(
        em.getRepository(InvoicePayment).create({
          id: newId(),
          merchantId: invoice.merchantId,
          invoiceId: invoice.id,
          source: 'recorded',
          method: payment.method ?? 'card',
          nonce: null,
          idempotencyKey: null,
          amount,
          surcharge,
          serviceFee: payment.serviceFee ?? 0,
          chargedAmount:
            payment.chargedAmount ??
            sumCents([amount, surcharge, payment.serviceFee ?? 0], 'charged_amount'),
          status: 'approved',
          transactionId: payment.transactionId,
          processorId: payment.processorId ?? null,
          responseText: payment.responseText ?? '',
          maskedAccount: payment.maskedAccount ?? '',
          createdAt: now,
          updatedAt: now,
        }),
      );
      this.takePayment(invoice, { amount, surcharge, serviceFee: payment.serviceFee ?? 0 }, now);
      changed.push(invoice);
      events.push({ invoice, amount, source: 'recorded', transactionId: payment.transactionId });
      receipts.push({
        kind: 'invoice_receipt',
        invoice,
        extras: {
          receipt: {
            amount,
            surcharge,
            method: methodLabel(payment.method ?? 'card'),
            maskedAccount: payment.maskedAccount ?? '',
            transactionId: payment.transactionId,
            paidAt: now,
          },
        },
      });
    }
    if (rows.length === 0) return;
    await insertMany(em, InvoicePayment, rows);
    await em.query(
      `UPDATE invoices i
          SET amount_paid = u.amount_paid, amount_due = u.amount_due, surcharge_paid = u.surcharge_paid,
              service_fees_paid = u.service_fees_paid, status = u.status, paid_at = u.paid_at,
              updated_at = $8
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::timestamptz[])
              AS u(id, amount_paid, amount_due, surcharge_paid, service_fees_paid, status, paid_at)
        WHERE i.id = u.id`,
      [
        changed.map((i) => i.id),
        changed.map((i) => i.amountPaid),
        changed.map((i) => i.amountDue),
        changed.map((i) => i.surchargePaid),
        changed.map((i) => i.serviceFeesPaid),
        changed.map((i) => i.status),
        changed.map((i) => i.paidAt),
        now,
      ],
    );
    await this.recordEvents(
      em,
      changed.map((invoice) => ({
        invoice,
        type:
          invoice.status === 'paid'
            ? ('invoice.paid' as const)
            : ('invoice.partially_paid' as const),
      })),
    );
    for (const event of events) {
      for (const listener of this.paymentListeners) await listener(em, event);
    }
    await this.emails.enqueueMany(em, receipts);
  }

  /**
   * For the billing run: tells each customer a renewal charge failed, with the hosted link to
   * pay the invoice another way, and when it will be tried again. Two statements for the batch.
   */
  async enqueueRenewalFailures(
    em: EntityManager,
    failures: readonly {
      merchantId: string;
      invoiceId: string;
      reason: string;
      retryOn: string | null;
    }[],
  ): Promise<void> {
    if (failures.length === 0) return;
    const invoices = new Map(
      (
        await em
          .getRepository(Invoice)
          .createQueryBuilder('i')
          .where('i.id = ANY(:ids)', { ids: failures.map((f) => f.invoiceId) })
          .getMany()
      ).map((i) => [i.id, i]),
    );
    const emails = failures.flatMap((f) => {
      const invoice = invoices.get(f.invoiceId);
      if (!invoice || invoice.merchantId !== f.merchantId) return [];
      if (invoice.status === 'paid' || invoice.status === 'cancelled') return [];
      return [
        {
          kind: 'renewal_failed' as const,
          invoice,
          extras: { reason: f.reason, retryOn: f.retryOn },
        },
      ];
    });
    await this.emails.enqueueMany(em, emails);
  }

  /**
   * For the billing run: `invoice.payment_failed` for each cycle invoice whose renewal charge
   * was declined, in the outcome's transaction; one event-log write for the batch.
   */
  async recordRenewalFailures(
    em: EntityManager,
    failures: readonly { merchantId: string; invoiceId: string }[],
  ): Promise<void> {
    if (failures.length === 0) return;
    const invoices = await em
      .getRepository(Invoice)
      .findBy({ id: In([...new Set(failures.map((f) => f.invoiceId))]) });
    const byId = new Map(invoices.map((i) => [i.id, i]));
    await this.recordEvents(
      em,
      failures.flatMap((f) => {
        const invoice = byId.get(f.invoiceId);
        if (!invoice || invoice.merchantId !== f.merchantId || invoice.deletedAt !== null)
          return [];
        return [{ invoice, type: 'invoice.payment_failed' as const }];
      }),
    );
  }

  /** Whether each invoice has a hosted-page payment in flight (pending or unknown). */
  async paymentsInFlight(em: EntityManager, invoiceIds: readonly string[]): Promise<Set<string>> {
    if (invoiceIds.length === 0) return new Set();
    const rows: { invoice_id: string }[] = await em.query(
      `SELECT DISTINCT invoice_id FROM invoice_payments
        WHERE invoice_id = ANY($1::text[]) AND status IN ('pending', 'unknown')`,
      [invoiceIds],
    );
    return new Set(rows.map((r) => r.invoice_id));
  }

  // ---- changing ----------------------------------------------------------------------

  /** POST /api/invoice/{id}: the given fields replace the stored ones; the whole is revalidated. */
  async update(
    merchantId: string,
    id: string,
    body: Record<string, unknown>,
  ): Promise<InvoiceResult> {
    return this.dataSource.transaction(async (em) => {
      const invoice = await this.lock(em, merchantId, id);
      const refusal = editRefusal(invoice.status);
      if (refusal) throw new ConflictError(refusal);
      if (
        body.amount_paid !== undefined &&
        body.amount_paid !== null &&
        body.amount_paid !== invoice.amountPaid
      ) {
        throw new ConflictError(
          'amount_paid is kept by Rebill from the payments it records; use POST /api/invoice/{id}/mark-as-paid to record a payment made elsewhere',
        );
      }
      const merged: Record<string, unknown> = { ...invoiceAsRequest(invoice), ...body };
      merged.amount_paid = invoice.amountPaid;
      const timeZone = await this.timeZoneOf(em, merchantId);
      const parsed = parseInvoice(merged, {
        requireAddresses: invoice.subscriptionId === null,
        timeZone,
      });
      const draft = await this.checkReferences(em, merchantId, parsed);
      await this.checkNumberFree(em, merchantId, parsed.draft.invoiceNumber, invoice.id);
      if (parsed.totals.total - parsed.totals.discount_credited < invoice.amountPaid) {
        throw new ConflictError(
          `the new total (${parsed.totals.total}) would be less than the ${invoice.amountPaid} already paid`,
        );
      }
      const previousDue = invoice.dateDue.getTime();
      applyDraft(invoice, draft, parsed, merged, invoice.items);
      invoice.overdueAt = overdueFrom(invoice.dateDue, timeZone);
      if (invoice.dateDue.getTime() !== previousDue) {
        // A new due date gets its own reminder and, if it passes, its own overdue notice.
        invoice.reminderSentAt = null;
        invoice.overdueNoticeSentAt = null;
        invoice.overdueEventAt = null;
      }
      const now = this.clock.now();
      const status = settledStatus(invoice);
      const becamePaid = status === 'paid' && invoice.status !== 'paid';
      if (becamePaid) invoice.paidAt = now;
      invoice.status = status;
      invoice.updatedAt = now;
      try {
        await em.getRepository(Invoice).save(invoice);
      } catch (err) {
        throw this.translateUniqueViolation(err, invoice);
      }
      await this.recordEvent(em, invoice, becamePaid ? 'invoice.paid' : 'invoice.updated');
      const notices = invoice.sendVia === 'text' || invoice.sendVia === 'both' ? [SMS_NOTICE] : [];
      return { invoice, notices };
    });
  }

  /**
   * DELETE /api/invoice/{id}. The invoice leaves the API and its page answers 404; the row
   * stays, cancelled, so emails already sent and the audit trail still point somewhere.
   */
  async delete(merchantId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const invoice = await this.lock(em, merchantId, id);
      const refusal = deleteRefusal(invoice.status, invoice.amountPaid);
      if (refusal) throw new ConflictError(refusal);
      const now = this.clock.now();
      const deleted = {
        status: 'cancelled' as const,
        cancelledAt: invoice.cancelledAt ?? now,
        deletedAt: now,
        updatedAt: now,
      };
      await em.getRepository(Invoice).update({ id: invoice.id }, deleted);
      await this.recordEvent(em, Object.assign(invoice, deleted), 'invoice.deleted');
    });
  }

  /** POST /api/invoice/{id}/void: cancels an unpaid or partly paid invoice but keeps it. */
  async void(merchantId: string, id: string): Promise<Invoice> {
    return this.dataSource.transaction(async (em) => {
      const invoice = await this.lock(em, merchantId, id);
      const refusal = voidRefusal(invoice.status);
      if (refusal) throw new ConflictError(refusal);
      const now = this.clock.now();
      invoice.status = 'cancelled';
      invoice.cancelledAt = now;
      invoice.updatedAt = now;
      await em.getRepository(Invoice).save(invoice);
      await this.recordEvent(em, invoice, 'invoice.voided');
      return invoice;
    });
  }

  /** POST /api/invoice/{id}/resend: the invoice email again (the overdue notice once past due). */
  async resend(merchantId: string, id: string): Promise<InvoiceResult> {
    return this.dataSource.transaction(async (em) => {
      const invoice = await this.lock(em, merchantId, id);
      if (invoice.status === 'paid')
        throw new ConflictError('the invoice is paid; there is nothing to resend');
      if (invoice.status === 'cancelled') throw new ConflictError('the invoice is cancelled');
      if (invoice.sendVia === 'none') {
        throw new ConflictError(
          'send_via is "none": set it to "email" to send the invoice by email',
        );
      }
      if (invoice.sendVia === 'text') throw new ConflictError(`send_via is "text": ${SMS_NOTICE}`);
      if (recipientOf(invoice) === '')
        throw new ConflictError('the invoice has no email_to and no bill_to.email');
      const now = this.clock.now();
      const kind = effectiveStatus(invoice, now) === 'overdue' ? 'invoice_overdue' : 'invoice_new';
      await this.emails.enqueue(em, kind, invoice);
      invoice.lastSentAt = now;
      invoice.updatedAt = now;
      await em
        .getRepository(Invoice)
        .update({ id: invoice.id }, { lastSentAt: now, updatedAt: now });
      const notices = invoice.sendVia === 'both' ? [SMS_NOTICE] : [];
      return { invoice, notices };
    });
  }

  /**
   * POST /api/invoice/{id}/mark-as-paid: a payment received outside Rebill (a cheque by mail,
   * a bank transfer). `amount` defaults to everything due; less leaves it partially paid.
   */
  async markAsPaid(
    merchantId: string,
    id: string,
    body: Record<string, unknown>,
  ): Promise<Invoice> {
    return this.dataSource.transaction(async (em) => {
      const invoice = await this.lock(em, merchantId, id);
      const refusal = paymentRefusal(invoice.status);
      if (refusal) throw new ConflictError(refusal);
      const amount = body.amount ?? invoice.amountDue;
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
        throw new ValidationError('amount', 'must be a positive integer number of cents');
      }
      if (amount > invoice.amountDue) {
        throw new ValidationError(
          'amount',
          `must not exceed the amount due (${invoice.amountDue})`,
        );
      }
      const method = body.method ?? 'mail';
      if (
        typeof method !== 'string' ||
        !['mail', 'cash', 'bank_transfer', 'other'].includes(method)
      ) {
        throw new ValidationError('method', 'must be "mail", "cash", "bank_transfer" or "other"');
      }
      const note = body.note ?? '';
      if (typeof note !== 'string' || note.length > 500) {
        throw new ValidationError('note', 'must be a string of at most 500 characters');
      }
      const now = this.clock.now();
      await em.getRepository(InvoicePayment).insert({
        id: newId(),
        merchantId,
        invoiceId: invoice.id,
        source: 'mark_as_paid',
        method,
        nonce: null,
        idempotencyKey: null,
        amount,
        surcharge: 0,
        serviceFee: 0,
        chargedAmount: amount,
        status: 'approved',
        transactionId: null,
        processorId: null,
        responseText: note,
        maskedAccount: '',
        createdAt: now,
        updatedAt: now,
      });
      await this.applyPayment(em, invoice, {
        amount,
        surcharge: 0,
        serviceFee: 0,
        source: 'mark_as_paid',
        transactionId: null,
      });
      await this.emails.enqueue(em, 'invoice_receipt', invoice, {
        receipt: {
          amount,
          surcharge: 0,
          method: methodLabel(method),
          maskedAccount: '',
          transactionId: null,
          paidAt: now,
        },
      });
      return invoice;
    });
  }

  /**
   * For the billing run and other modules: records a gateway payment made outside the hosted
   * page (a renewal charge) against the invoice, inside the caller's transaction, and queues
   * the receipt. Idempotent by transaction id.
   */
  async recordPayment(
    em: EntityManager,
    merchantId: string,
    invoiceId: string,
    payment: PaymentToRecord,
  ): Promise<Invoice> {
    const invoice = await this.lock(em, merchantId, invoiceId);
    const already = await em
      .getRepository(InvoicePayment)
      .findOneBy({ merchantId, transactionId: payment.transactionId });
    if (already) {
      if (already.invoiceId !== invoice.id) {
        throw new ConflictError(
          `transaction ${payment.transactionId} already paid another invoice`,
        );
      }
      return invoice;
    }
    const refusal = paymentRefusal(invoice.status);
    if (refusal) throw new ConflictError(refusal);
    if (
      !Number.isSafeInteger(payment.amount) ||
      payment.amount <= 0 ||
      payment.amount > invoice.amountDue
    ) {
      throw new ValidationError(
        'amount',
        `must be from 1 to the amount due (${invoice.amountDue})`,
      );
    }
    const now = this.clock.now();
    await em.getRepository(InvoicePayment).insert({
      id: newId(),
      merchantId,
      invoiceId: invoice.id,
      source: 'recorded',
      method: payment.method ?? 'card',
      nonce: null,
      idempotencyKey: null,
      amount: payment.amount,
      surcharge: payment.surcharge ?? 0,
      serviceFee: payment.serviceFee ?? 0,
      chargedAmount:
        payment.chargedAmount ??
        sumCents(
          [payment.amount, payment.surcharge ?? 0, payment.serviceFee ?? 0],
          'charged_amount',
        ),
      status: 'approved',
      transactionId: payment.transactionId,
      processorId: payment.processorId ?? null,
      responseText: payment.responseText ?? '',
      maskedAccount: payment.maskedAccount ?? '',
      createdAt: now,
      updatedAt: now,
    });
    await this.applyPayment(em, invoice, {
      amount: payment.amount,
      surcharge: payment.surcharge ?? 0,
      serviceFee: payment.serviceFee ?? 0,
      source: 'recorded',
      transactionId: payment.transactionId,
    });
    await this.emails.enqueue(em, 'invoice_receipt', invoice, {
      receipt: {
        amount: payment.amount,
        surcharge: payment.surcharge ?? 0,
        method: methodLabel(payment.method ?? 'card'),
        maskedAccount: payment.maskedAccount ?? '',
        transactionId: payment.transactionId,
        paidAt: now,
      },
    });
    return invoice;
  }

  /**
   * For the billing run: tells the customer a renewal charge failed, with the hosted link to
   * pay the invoice another way. Queued in the caller's transaction; false when the
   * invoice's send_via (or a missing address) means no email goes out.
   */
  async enqueueRenewalFailedEmail(
    em: EntityManager,
    merchantId: string,
    invoiceId: string,
    reason: string,
    options: { retryOn?: string | null } = {},
  ): Promise<boolean> {
    const invoice = await this.get(merchantId, invoiceId, em);
    if (invoice.status === 'paid' || invoice.status === 'cancelled') return false;
    return this.emails.enqueue(em, 'renewal_failed', invoice, {
      reason,
      retryOn: options.retryOn ?? null,
    });
  }

  /**
   * The merchant an invoice belongs to, for internal callers that hold only an invoice id
   * they created themselves (the billing run); the API never uses it.
   */
  async merchantIdOf(em: EntityManager, invoiceId: string): Promise<string> {
    const rows: { merchant_id: string }[] = await em.query(
      `SELECT merchant_id FROM invoices WHERE id = $1 AND deleted_at IS NULL`,
      [invoiceId],
    );
    if (rows.length === 0) throw new NotFoundError('invoice', invoiceId);
    return rows[0].merchant_id;
  }

  /**
   * Lets another module act on every payment of an invoice, inside the transaction that
   * records it: the billing run settles the subscription cycle an invoice bills when the
   * customer pays it on the hosted page. A listener that throws rolls the payment's
   * recording back (the charge itself stays on record as the payment row's transaction).
   */
  registerPaymentListener(listener: InvoicePaymentListener): void {
    this.paymentListeners.push(listener);
  }

  /**
   * Takes a payment off the locked invoice: the amounts come again from the calculation
   * core with the new amount paid, and the status follows them. Every way of paying
   * (hosted page, mark-as-paid, recordPayment) comes through here.
   */
  async applyPayment(em: EntityManager, invoice: Invoice, payment: AppliedPayment): Promise<void> {
    const now = this.clock.now();
    this.takePayment(invoice, payment, now);
    await em.getRepository(Invoice).update(
      { id: invoice.id },
      {
        amountPaid: invoice.amountPaid,
        amountDue: invoice.amountDue,
        surchargePaid: invoice.surchargePaid,
        serviceFeesPaid: invoice.serviceFeesPaid,
        status: invoice.status,
        paidAt: invoice.paidAt,
        updatedAt: now,
      },
    );
    await this.recordEvent(
      em,
      invoice,
      invoice.status === 'paid' ? 'invoice.paid' : 'invoice.partially_paid',
    );
    for (const listener of this.paymentListeners) {
      await listener(em, {
        invoice,
        amount: payment.amount,
        source: payment.source,
        transactionId: payment.transactionId,
      });
    }
  }

  /** The amounts and status of the invoice after a payment, from the calculation core. */
  private takePayment(
    invoice: Invoice,
    payment: Pick<AppliedPayment, 'amount' | 'surcharge' | 'serviceFee'>,
    now: Date,
  ): void {
    const amountPaid = sumCents([invoice.amountPaid, payment.amount], 'amount_paid');
    const totals = totalsWithAmountPaid(invoice, amountPaid);
    invoice.amountPaid = totals.amount_paid;
    invoice.amountDue = totals.amount_due;
    invoice.surchargePaid = sumCents([invoice.surchargePaid, payment.surcharge], 'surcharge_paid');
    invoice.serviceFeesPaid = sumCents(
      [invoice.serviceFeesPaid, payment.serviceFee],
      'service_fees_paid',
    );
    invoice.status = settledStatus(invoice);
    if (invoice.status === 'paid') invoice.paidAt = now;
    invoice.updatedAt = now;
  }

  async pdf(merchantId: string, id: string): Promise<{ invoice: Invoice; pdf: Buffer }> {
    const invoice = await this.get(merchantId, id);
    return { invoice, pdf: await this.renderPdf(invoice) };
  }

  renderPdf(invoice: Invoice): Promise<Buffer> {
    return this.pdfs.render(invoice);
  }

  // ---- helpers ---------------------------------------------------------------------

  /** The merchant's IANA time zone: dates without a time are days there. */
  private async timeZoneOf(em: EntityManager, merchantId: string): Promise<string> {
    const merchant = await em.getRepository(Merchant).findOneBy({ id: merchantId });
    return merchant?.timezone ?? 'UTC';
  }

  /** Resolves stored addresses and checks the ids the body names (customer, processors). */
  private async checkReferences(
    em: EntityManager,
    merchantId: string,
    parsed: ParsedInvoice,
  ): Promise<InvoiceDraft & { payableToAddress: InvoiceAddress; billToAddress: InvoiceAddress }> {
    const draft = parsed.draft;
    const payableToAddress = await this.resolveAddress(
      em,
      merchantId,
      draft.payableTo,
      'payable_to',
    );
    const billToAddress = await this.resolveAddress(em, merchantId, draft.billTo, 'bill_to');
    if (draft.customerId !== '' && em.connection.hasMetadata(VaultCustomer)) {
      const customer = await em
        .getRepository(VaultCustomer)
        .findOneBy({ merchantId, id: draft.customerId });
      if (!customer) throw new ValidationError('customer_id', 'no saved customer has this id');
    }
    for (const field of ['card_processor_id', 'ach_processor_id'] as const) {
      const processorId =
        field === 'card_processor_id' ? draft.cardProcessorId : draft.achProcessorId;
      if (processorId === '') continue;
      try {
        await this.processors.resolve(merchantId, processorId, em);
      } catch (err) {
        if (err instanceof NotFoundError)
          throw new ValidationError(field, 'no processor has this id');
        throw err;
      }
    }
    if (
      (draft.sendVia === 'email' || draft.sendVia === 'both') &&
      draft.emailTo === '' &&
      billToAddress.email === ''
    ) {
      throw new ValidationError(
        'email_to',
        `is required when send_via is "${draft.sendVia}" and bill_to has no email`,
      );
    }
    return { ...draft, payableToAddress, billToAddress };
  }

  private async resolveAddress(
    em: EntityManager,
    merchantId: string,
    ref: AddressRef,
    field: 'payable_to' | 'bill_to',
  ): Promise<InvoiceAddress> {
    if (ref.kind === 'inline') return ref.address;
    const stored = em.connection.hasMetadata(VaultAddress)
      ? await em.getRepository(VaultAddress).findOneBy({ merchantId, id: ref.id })
      : null;
    if (!stored) throw new ValidationError(`${field}.id`, 'no stored address has this id');
    return validateAddress(
      {
        id: stored.id,
        first_name: stored.first_name,
        last_name: stored.last_name,
        company: stored.company,
        address_line_1: stored.line_1,
        address_line_2: stored.line_2,
        city: stored.city,
        state: stored.state,
        postal_code: stored.postal_code,
        country: stored.country,
        phone: stored.phone,
        fax: stored.fax,
        email: stored.email,
        ...ref.overrides,
      },
      field,
    );
  }

  private async checkNumberFree(
    em: EntityManager,
    merchantId: string,
    invoiceNumber: string | null,
    exceptId: string | null,
  ): Promise<void> {
    if (invoiceNumber === null) return;
    const rows: { id: string }[] = await em.query(
      `SELECT id FROM invoices
        WHERE merchant_id = $1 AND invoice_number = $2 AND deleted_at IS NULL AND ($3::text IS NULL OR id <> $3)
        LIMIT 1`,
      [merchantId, invoiceNumber, exceptId],
    );
    if (rows.length > 0)
      throw new ConflictError(
        `invoice_number "${invoiceNumber}" is already used by another invoice`,
      );
  }

  private translateUniqueViolation(err: unknown, invoice: Invoice): unknown {
    const constraint = violatedConstraint(err);
    if (constraint === 'invoices_merchant_number_uq') {
      return new ConflictError(
        `invoice_number "${invoice.invoiceNumber}" is already used by another invoice`,
      );
    }
    if (constraint === 'invoices_subscription_cycle_uq') {
      return new ConflictError('this subscription cycle already has an invoice');
    }
    return err;
  }
}

/**
 * Invoice ids are 17 characters (the spec's other ids have 20) so that an invoice id fits
 * the transaction's order_id and po_number, which the gateway caps at 17 characters: the
 * spec's invoice TIP puts the invoice id in both.
 */
export function newInvoiceId(): string {
  return newId().slice(0, 17);
}

function methodLabel(method: string): string {
  return (
    {
      card: 'Card',
      ach: 'Bank account',
      mail: 'Cheque by mail',
      cash: 'Cash',
      bank_transfer: 'Bank transfer',
    }[method] ?? 'Other'
  );
}

/** Copies a validated draft and its totals onto the entity; keeps item ids the body repeats. */
function applyDraft(
  invoice: Invoice,
  draft: InvoiceDraft & { payableToAddress: InvoiceAddress; billToAddress: InvoiceAddress },
  parsed: ParsedInvoice,
  body: Record<string, unknown>,
  previousItems: StoredInvoiceItem[],
): void {
  const totals = parsed.totals;
  const rawItems = body.items as Record<string, unknown>[];
  const known = new Set(previousItems.map((i) => i.id));
  invoice.invoiceNumber = draft.invoiceNumber;
  invoice.currency = draft.currency;
  invoice.locale = draft.locale;
  invoice.companyName = draft.companyName;
  invoice.companyLogoUrl = draft.companyLogoUrl;
  invoice.customerNumber = draft.customerNumber;
  invoice.customerId = draft.customerId;
  invoice.payableTo = draft.payableToAddress;
  invoice.billTo = draft.billToAddress;
  invoice.dateDue = draft.dateDue;
  invoice.items = draft.items.map((item, i) => {
    const given = rawItems[i]?.id;
    return {
      id: typeof given === 'string' && known.has(given) ? given : newId(),
      ...item,
      computed: totals.items[i],
    };
  });
  invoice.advancedFields = draft.advancedFields;
  invoice.enableTax = draft.enableTax;
  invoice.enableShipping = draft.enableShipping;
  invoice.requireShippingDetails = draft.requireShippingDetails;
  invoice.requireBillingDetailsOnPaymentOnly = draft.requireBillingDetailsOnPaymentOnly;
  invoice.taxPercent = draft.taxPercent;
  invoice.taxInput = draft.tax;
  invoice.shippingInput = draft.shipping;
  invoice.subtotal = totals.subtotal;
  invoice.tax = totals.tax;
  invoice.shipping = totals.shipping;
  invoice.adjustment = totals.adjustment;
  invoice.total = totals.total;
  invoice.amountPaid = totals.amount_paid;
  invoice.serviceFeesPaid = draft.serviceFeesPaid;
  invoice.surchargePaid = draft.surchargePaid;
  invoice.discountCredited = totals.discount_credited;
  invoice.amountDue = totals.amount_due;
  invoice.allowPartialPayment = draft.allowPartialPayment;
  invoice.transactionType = draft.transactionType;
  invoice.paymentMethods = draft.paymentMethods;
  invoice.cardProcessorId = draft.cardProcessorId;
  invoice.achProcessorId = draft.achProcessorId;
  invoice.message = draft.message;
  invoice.sendVia = draft.sendVia;
  invoice.emailTo = draft.emailTo;
}
