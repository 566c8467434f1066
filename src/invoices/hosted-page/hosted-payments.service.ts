import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { sumCents } from '../../billing-calc';
import type {
  ChargeOutcome,
  ChargeRequest,
  PaymentGateway,
  StoredCredentialFields,
} from '../../gateway/gateway';
import { performCharge } from '../../gateway/charges/charge-protocol';
import { GatewayFactory } from '../../gateway/gateway.factory';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { DomainError, ValidationError } from '../../platform/errors/errors';
import { newId } from '../../platform/ids/ids';
import { Processor } from '../../processors/processor.entity';
import { ProcessorsService, toProcessorSettings } from '../../processors/processors.service';
import { Merchant } from '../../accounts/merchant.entity';
import { invoiceMoney, invoiceNumberOf } from '../invoice-document';
import { InvoiceEmails } from '../invoice-emails';
import { InvoicePayment } from '../invoice-payment.entity';
import { paymentRefusal } from '../invoice-status';
import { Invoice } from '../invoice.entity';
import { InvoicesService } from '../invoices.service';
import { chargeFor } from './payment-fees';
import { formNonce, PaymentDetails, parsePaymentForm } from './payment-form';

export type PayOutcome =
  | { kind: 'not_found' }
  | { kind: 'receipt'; invoice: Invoice; payment: InvoicePayment }
  /** Show the invoice page again, with a message; `nonce` is reused when nothing was attempted. */
  | { kind: 'form'; invoice: Invoice; httpStatus: number; error: string; nonce: string | null }
  | { kind: 'processing'; invoice: Invoice };

type Claim =
  | PayOutcome
  | { kind: 'existing'; invoice: Invoice; payment: InvoicePayment }
  | {
      kind: 'claimed';
      invoice: Invoice;
      payment: InvoicePayment;
      gateway: PaymentGateway;
      details: PaymentDetails;
    };

/** A second submission of the same form waits up to 15 s for the first one's outcome. */
const DUPLICATE_POLL_MS = 200;
const DUPLICATE_WAIT_POLLS = 75;
/** A payment still `pending` after this long lost its process; it is resolved with the gateway. */
const STALE_PENDING_MS = 2 * 60_000;

/**
 * A one-off keyed payment by the customer on the hosted page: customer-initiated, and
 * nothing is stored, so only `initiated_by` (the spec's one required CIT field) is sent.
 */
const CUSTOMER_INITIATED = {
  initiated_by: 'customer',
  billing_method: 'straight',
} as unknown as StoredCredentialFields;

export function validPublicToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{20,100}$/.test(token);
}

/**
 * Paying an invoice on its hosted page, so that no submission ever charges twice:
 *
 * 1. In one short transaction, with the invoice row locked: the form's nonce is looked up
 *    (a resubmitted form finds its first attempt and waits for its outcome), any payment
 *    still in flight on the invoice blocks a new one (two tabs), the form is validated, and
 *    a `pending` payment row is committed with an idempotency key derived from its id.
 * 2. The gateway is called with that key, so a retry of the same attempt is answered with
 *    the first result.
 * 3. In a second transaction the outcome is recorded and, when approved, the invoice's
 *    amounts, status and receipt email follow.
 * An outcome the gateway did not give (a timeout) stays `unknown` and is resolved later by
 * looking the attempt up by its key, never by charging again.
 */
@Injectable()
export class HostedPayments {
  private readonly logger = new Logger(HostedPayments.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly invoices: InvoicesService,
    private readonly processors: ProcessorsService,
    private readonly gateways: GatewayFactory,
    private readonly emails: InvoiceEmails,
  ) {}

  /** The invoice behind a public token, or null when unknown, deleted or cancelled. */
  async findByToken(token: string, em?: EntityManager, lock = false): Promise<Invoice | null> {
    if (!validPublicToken(token)) return null;
    const repo = (em ?? this.dataSource.manager).getRepository(Invoice);
    const invoice = lock
      ? await repo.findOne({ where: { publicToken: token }, lock: { mode: 'pessimistic_write' } })
      : await repo.findOneBy({ publicToken: token });
    if (!invoice || invoice.deletedAt !== null || invoice.status === 'cancelled') return null;
    return invoice;
  }

  async inFlightPayment(invoiceId: string): Promise<InvoicePayment | null> {
    return this.dataSource
      .getRepository(InvoicePayment)
      .findOneBy({ invoiceId, status: In(['pending', 'unknown']) });
  }

  async approvedPayment(invoice: Invoice, paymentId: string): Promise<InvoicePayment | null> {
    return this.dataSource.getRepository(InvoicePayment).findOneBy({
      id: paymentId,
      invoiceId: invoice.id,
      merchantId: invoice.merchantId,
      status: 'approved',
    });
  }

  async pay(token: string, form: Record<string, string>): Promise<PayOutcome> {
    let nonce: string;
    try {
      nonce = formNonce(form);
    } catch (err) {
      const invoice = await this.findByToken(token);
      if (!invoice) return { kind: 'not_found' };
      const error = err instanceof ValidationError ? pageMessage(err) : 'Please reload the page.';
      return { kind: 'form', invoice, httpStatus: 400, error, nonce: null };
    }
    const claim = await this.claim(token, nonce, form);
    if (claim.kind === 'existing') return this.awaitOutcome(claim.invoice, claim.payment.id);
    if (claim.kind !== 'claimed') return claim;

    const outcome = await this.charge(claim.gateway, claim.invoice, claim.payment, claim.details);
    return this.settle(claim.invoice.id, claim.payment.id, outcome);
  }

  private claim(token: string, nonce: string, form: Record<string, string>): Promise<Claim> {
    return this.dataSource.transaction(async (em): Promise<Claim> => {
      const invoice = await this.findByToken(token, em, true);
      if (!invoice) return { kind: 'not_found' };
      const payments = em.getRepository(InvoicePayment);
      const existing = await payments.findOneBy({ invoiceId: invoice.id, nonce });
      if (existing) return { kind: 'existing', invoice, payment: existing };
      const refusal = paymentRefusal(invoice.status);
      if (refusal)
        return {
          kind: 'form',
          invoice,
          httpStatus: 409,
          error: `This invoice cannot be paid: ${refusal}.`,
          nonce: null,
        };
      const inFlight = await payments.findOneBy({
        invoiceId: invoice.id,
        status: In(['pending', 'unknown']),
      });
      if (inFlight) return { kind: 'processing', invoice };

      const formError = (message: string): Claim => ({
        kind: 'form',
        invoice,
        httpStatus: 400,
        error: message,
        nonce,
      });
      let parsed;
      try {
        const merchant = await em
          .getRepository(Merchant)
          .findOneByOrFail({ id: invoice.merchantId });
        const format = invoiceMoney(invoice, merchant);
        parsed = parsePaymentForm(form, format, invoice.paymentMethods, this.clock.now());
      } catch (err) {
        if (err instanceof ValidationError) return formError(pageMessage(err));
        throw err;
      }
      // The page showed an amount due; if it has changed since (a payment recorded elsewhere),
      // the customer reviews the new one instead of paying an amount they were not shown.
      if (form.due !== undefined && form.due !== String(invoice.amountDue)) {
        return {
          kind: 'form',
          invoice,
          httpStatus: 409,
          error:
            'The amount due has changed since this page was opened. Please review it and pay again.',
          nonce: null,
        };
      }
      let amount = invoice.amountDue;
      if (parsed.amount !== null && parsed.amount !== invoice.amountDue) {
        if (!invoice.allowPartialPayment) return formError('This invoice must be paid in full.');
        if (parsed.amount > invoice.amountDue)
          return formError('The amount is more than the amount due.');
        amount = parsed.amount;
      }
      const details = parsed.details;
      const processorId =
        details.kind === 'card' ? invoice.cardProcessorId : invoice.achProcessorId;
      let processor: Processor;
      let gateway: PaymentGateway;
      try {
        processor = await this.processors.resolve(invoice.merchantId, processorId, em);
        gateway = this.gateways.forProcessor(processor);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        this.logger.warn(
          { invoiceId: invoice.id, err: err.message },
          'invoice processor unavailable',
        );
        return formError(
          'Online payment is not available for this invoice right now. Please contact the business.',
        );
      }
      const charge = chargeFor(
        amount,
        details.kind === 'card' ? { kind: 'card', cardNumber: details.number } : { kind: 'ach' },
        toProcessorSettings(processor),
        invoice.billTo.state === '' ? null : invoice.billTo.state,
      );
      const now = this.clock.now();
      const id = newId();
      const payment = payments.create({
        id,
        merchantId: invoice.merchantId,
        invoiceId: invoice.id,
        source: 'hosted_page',
        method: details.kind,
        nonce,
        idempotencyKey: `invoice-payment-${id}`,
        amount,
        surcharge: charge.surcharge,
        serviceFee: charge.serviceFee,
        chargedAmount: charge.charged,
        status: 'pending',
        transactionId: null,
        processorId: processor.id,
        responseText: '',
        maskedAccount: details.masked,
        createdAt: now,
        updatedAt: now,
      });
      await payments.insert(payment);
      return { kind: 'claimed', invoice, payment, gateway, details };
    });
  }

  private async charge(
    gateway: PaymentGateway,
    invoice: Invoice,
    payment: InvoicePayment,
    details: PaymentDetails,
  ): Promise<ChargeOutcome> {
    const number = invoiceNumberOf(invoice);
    const request: ChargeRequest = {
      idempotencyKey: payment.idempotencyKey ?? `invoice-payment-${payment.id}`,
      amount: payment.chargedAmount,
      source:
        details.kind === 'card'
          ? {
              kind: 'card',
              number: details.number,
              expirationDate: details.expiration,
              ...(details.cvc ? { cvc: details.cvc } : {}),
            }
          : {
              kind: 'ach',
              routingNumber: details.routingNumber,
              accountNumber: details.accountNumber,
              accountType: details.accountType,
              secCode: 'web',
            },
      currency: invoice.currency,
      // The spec's invoice TIP: the order id is the invoice number (or id), the PO number the id.
      orderId: number,
      poNumber: invoice.id,
      description: `Invoice ${number}`,
      allowPartialPayment: false,
      storedCredential: CUSTOMER_INITIATED,
    };
    // The shared charge protocol: the payment row (the attempt) is committed; send it under
    // its key. An exception or a lost answer is `unknown`, resolved later by lookup.
    const outcome = await performCharge({
      gateway,
      request,
      type: invoice.transactionType === 'authorize' ? 'authorize' : 'sale',
      mode: 'send',
      startedAt: payment.createdAt,
      whenNotFound: 'not_charged',
    });
    if (outcome.kind === 'unknown') {
      this.logger.warn(
        { invoiceId: invoice.id, paymentId: payment.id, reason: outcome.unknownReason },
        'charge outcome unknown',
      );
    }
    return outcome;
  }

  /** Records the gateway's outcome of a pending or unknown payment, once. */
  private settle(
    invoiceId: string,
    paymentId: string,
    outcome: ChargeOutcome,
  ): Promise<PayOutcome> {
    return this.dataSource.transaction(async (em): Promise<PayOutcome> => {
      const invoice = await em
        .getRepository(Invoice)
        .findOneOrFail({ where: { id: invoiceId }, lock: { mode: 'pessimistic_write' } });
      const payments = em.getRepository(InvoicePayment);
      const payment = await payments.findOneByOrFail({ id: paymentId });
      if (payment.status !== 'pending' && payment.status !== 'unknown') {
        return this.outcomeOf(invoice, payment);
      }
      const now = this.clock.now();
      payment.updatedAt = now;
      payment.transactionId = outcome.transactionId;
      payment.responseText = outcome.message;
      if (outcome.kind === 'approved' || outcome.kind === 'partially_approved') {
        if (
          outcome.kind === 'partially_approved' &&
          outcome.amountApproved < payment.chargedAmount
        ) {
          // Partial approvals are not asked for (allowPartialPayment: false); should one come
          // anyway, only what was approved is credited, fees first left out.
          payment.amount = Math.min(payment.amount, outcome.amountApproved);
          payment.surcharge = 0;
          payment.serviceFee = 0;
          payment.chargedAmount = outcome.amountApproved;
        }
        payment.status = 'approved';
        await payments.save(payment);
        await this.invoices.applyPayment(em, invoice, {
          amount: payment.amount,
          surcharge: payment.surcharge,
          serviceFee: payment.serviceFee,
          source: 'hosted_page',
          transactionId: payment.transactionId,
        });
        await this.emails.enqueue(em, 'invoice_receipt', invoice, {
          receipt: {
            amount: payment.amount,
            surcharge: sumCents([payment.surcharge, payment.serviceFee]),
            method: payment.method === 'card' ? 'Card' : 'Bank account',
            maskedAccount: payment.maskedAccount,
            transactionId: payment.transactionId,
            paidAt: now,
          },
        });
        return { kind: 'receipt', invoice, payment };
      }
      payment.status = outcome.kind === 'declined' ? 'declined' : 'unknown';
      await payments.save(payment);
      if (payment.status === 'declined') {
        await this.invoices.recordEvent(em, invoice, 'invoice.payment_failed');
      }
      return this.outcomeOf(invoice, payment);
    });
  }

  private outcomeOf(invoice: Invoice, payment: InvoicePayment): PayOutcome {
    if (payment.status === 'approved') return { kind: 'receipt', invoice, payment };
    if (payment.status === 'declined') {
      return {
        kind: 'form',
        invoice,
        httpStatus: 402,
        error: `Your payment was declined: ${payment.responseText}. Nothing was charged; you can try another card or account.`,
        nonce: null,
      };
    }
    return { kind: 'processing', invoice };
  }

  /** A resubmitted form: wait for the first submission's outcome, then show it. */
  private async awaitOutcome(invoice: Invoice, paymentId: string): Promise<PayOutcome> {
    for (let polls = 0; ; polls++) {
      const payment = await this.dataSource
        .getRepository(InvoicePayment)
        .findOneByOrFail({ id: paymentId });
      if (payment.status === 'approved' || payment.status === 'declined') {
        const fresh = await this.dataSource
          .getRepository(Invoice)
          .findOneByOrFail({ id: invoice.id });
        return this.outcomeOf(fresh, payment);
      }
      if (payment.status === 'unknown' || polls >= DUPLICATE_WAIT_POLLS) {
        return { kind: 'processing', invoice };
      }
      await new Promise((resolve) => setTimeout(resolve, DUPLICATE_POLL_MS));
    }
  }

  /**
   * Settles a payment left `unknown` (or `pending` by a process that died) by asking the
   * gateway for the attempt by its idempotency key. Called when the page is opened.
   */
  async resolveInFlight(invoice: Invoice): Promise<void> {
    const payment = await this.inFlightPayment(invoice.id);
    if (!payment) return;
    const age = this.clock.now().getTime() - payment.createdAt.getTime();
    if (payment.status === 'pending' && age < STALE_PENDING_MS) return;
    try {
      const processor = await this.processors.resolve(invoice.merchantId, payment.processorId);
      const gateway = this.gateways.forProcessor(processor);
      // The same protocol, resolving: a lookup by the key; not found means nothing was
      // charged (the page never re-sends a customer's card details on its own).
      const outcome = await performCharge({
        gateway,
        request: {
          idempotencyKey: payment.idempotencyKey ?? '',
          orderId: invoiceNumberOf(invoice),
          amount: payment.chargedAmount,
          // Never sent: a resolution that finds nothing is recorded as not charged.
          source: { kind: 'token', token: '' },
        },
        mode: 'resolve',
        startedAt: payment.createdAt,
        whenNotFound: 'not_charged',
      });
      if (outcome.kind !== 'unknown') await this.settle(invoice.id, payment.id, outcome);
    } catch (err) {
      this.logger.warn(
        { invoiceId: invoice.id, paymentId: payment.id, err: (err as Error).message },
        'could not resolve payment',
      );
    }
  }
}

/** "invalid card number: is not a valid card number (...)" → "Card number is not a valid card number (...)." */
export function pageMessage(err: ValidationError): string {
  const field = err.field ?? '';
  const problem = err.message.replace(/^invalid [^:]*: /, '');
  if (field === 'form' || field === '')
    return `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`;
  return `${field.charAt(0).toUpperCase()}${field.slice(1)} ${problem}.`;
}
