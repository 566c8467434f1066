import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvoicesService } from '../invoices/invoices.service';
import { Clock, CLOCK } from '../platform/clock/clock';
import { ValidationError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import type { V1Caller } from './api/v1-auth';
import type { ExternalIntentCreate } from './payment-input';
import { PaymentIntentsService } from './payment-intents.service';
import { IntentPayment } from './payment.entities';

/**
 * External payments (spec: External Payments, External Refunds): money that moved through
 * another gateway, recorded with what that gateway answered, so it appears beside Rebill's
 * own payments and can pay an invoice (a subscription cycle's invoice settles the cycle).
 * No gateway is called.
 */
@Injectable()
export class ExternalPaymentsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly intents: PaymentIntentsService,
    private readonly invoices: InvoicesService,
  ) {}

  async create(caller: V1Caller, input: ExternalIntentCreate) {
    if (input.invoiceId !== null && !input.intent.capture) {
      throw new ValidationError(
        'invoice_id',
        'needs payment_intent.capture true: only captured money pays an invoice',
      );
    }
    if (input.intent.amount === 0) {
      throw new ValidationError(
        'payment_intent.amount',
        'must be more than 0 for an external payment',
      );
    }
    const intent = await this.dataSource.transaction(async (em) => {
      const created = await this.intents.create(caller, input.intent, { external: true }, em);
      const now = this.clock.now();
      const amount = created.amount;
      const captured = created.capture;
      const payment = em.getRepository(IntentPayment).create({
        id: newId(),
        merchantId: caller.accountId,
        paymentIntentId: created.id,
        status: captured ? 'captured' : 'uncaptured',
        amount,
        amountAuthorized: amount,
        amountCaptured: captured ? amount : 0,
        amountRefunded: 0,
        amountVoided: 0,
        processorId: null,
        transactionId: null,
        gatewayIdempotencyKey: null,
        customerId: null,
        paymentMethodId: null,
        paymentMethodType: input.paymentMethod.type,
        responseCode: 100,
        avs: null,
        cvv: null,
        authCode:
          typeof input.gatewayResponse.auth_code === 'string'
            ? input.gatewayResponse.auth_code.slice(0, 50)
            : null,
        authResponseText: 'recorded: external payment',
        external: true,
        cardPresent: input.cardPresent,
        gatewayResponse: {
          authorization: input.gatewayResponse,
          payment_method: input.paymentMethod,
        },
        storedCredential: null,
        referenceId: created.referenceId,
        description: created.description,
        userFields: created.userFields,
        orderDetails: created.orderDetails,
        createdAt: now,
        updatedAt: now,
      });
      await em.getRepository(IntentPayment).save(payment);
      Object.assign(created, {
        status: captured ? 'captured' : 'uncaptured',
        amountAuthorized: amount,
        amountCaptured: captured ? amount : 0,
        capturedAt: captured ? now : null,
        latestPaymentId: payment.id,
        updatedAt: now,
      });
      await em.save(created);
      if (input.invoiceId !== null) {
        await this.invoices.recordPayment(em, caller.accountId, input.invoiceId, {
          transactionId: `external:${payment.id}`,
          amount,
          method: input.paymentMethod.type === 'bank' ? 'ach' : input.paymentMethod.type,
          maskedAccount: input.paymentMethod.last4 ? `****${input.paymentMethod.last4}` : '',
          responseText: 'external payment',
        });
      }
      return created;
    });
    return (await this.intents.views(caller, [intent]))[0];
  }
}
