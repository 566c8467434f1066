import type { EntityManager } from 'typeorm';
import type { LocalDate } from '../../billing-calc/calendar';

/** What the billing run needs from invoicing: one invoice per cycle, paid or dunned. */
export interface CycleInvoicing {
  createCycleInvoice(
    em: EntityManager,
    input: {
      merchantId: string;
      subscriptionId: string;
      customerId: string;
      billDate: LocalDate;
      billingNumber: number;
      currency: string;
      lines: { kind: string; id: string | null; name: string; amount: number }[];
      total: number;
      processorId: string;
    },
  ): Promise<{ invoiceId: string }>;
  recordCyclePayment(
    em: EntityManager,
    invoiceId: string,
    transactionId: string,
    amount: number,
  ): Promise<void>;
  /** Emails the customer the cycle's hosted invoice link so they can pay by hand. */
  notifyCycleFailed(
    em: EntityManager,
    invoiceId: string,
    failure: { message: string; retryOn: LocalDate | null },
  ): Promise<void>;
}

export const CYCLE_INVOICING = Symbol('CYCLE_INVOICING');
