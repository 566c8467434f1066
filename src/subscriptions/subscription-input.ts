/** Readers for the subscription-only request fields (customer, currency, time zone, list filters). */
import { describeValue } from '../billing-calc/errors';
import { isValidTimeZone, type LocalDate } from '../billing-calc/calendar';
import {
  optionalId,
  optionalLocalDate,
  optionalObject,
  optionalText,
  readPaging,
} from '../platform/http/input';
import { ValidationError } from '../platform/errors/errors';
import {
  isSubscriptionStatus,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
} from './subscription-status';

export interface CustomerInput {
  id?: string;
  paymentMethodType?: 'card' | 'ach';
  paymentMethodId?: string;
  billingAddressId?: string;
  shippingAddressId?: string;
}

/** `customer`: id, payment_method_type with payment_method_id, address ids. */
export function optionalCustomer(value: unknown): CustomerInput | undefined {
  const customer = optionalObject(value, 'customer');
  if (!customer) return undefined;
  const type = optionalText(customer.payment_method_type, 'customer.payment_method_type', 10);
  if (type !== undefined && type !== '' && type !== 'card' && type !== 'ach') {
    throw new ValidationError(
      'customer.payment_method_type',
      `must be "card" or "ach", got ${describeValue(type)}`,
    );
  }
  const paymentMethodType = type === '' ? undefined : type;
  const paymentMethodId = optionalId(customer.payment_method_id, 'customer.payment_method_id');
  if (paymentMethodType !== undefined && paymentMethodId === undefined) {
    throw new ValidationError(
      'customer.payment_method_id',
      'is required when customer.payment_method_type is given',
    );
  }
  return {
    id: optionalId(customer.id, 'customer.id'),
    paymentMethodType,
    paymentMethodId,
    billingAddressId: optionalId(customer.billing_address_id, 'customer.billing_address_id'),
    shippingAddressId: optionalId(customer.shipping_address_id, 'customer.shipping_address_id'),
  };
}

/** A three-letter ISO 4217 code, upper-cased. */
export function optionalCurrency(value: unknown): string | undefined {
  const text = optionalText(value, 'currency', 3);
  if (text === undefined || text === '') return undefined;
  if (!/^[A-Za-z]{3}$/.test(text)) {
    throw new ValidationError('currency', `must be a three-letter currency code such as "USD"`);
  }
  return text.toUpperCase();
}

/** An IANA time zone that overrides the merchant's for this subscription's dates. */
export function optionalTimeZone(value: unknown): string | undefined {
  const text = optionalText(value, 'timezone', 100);
  if (text === undefined || text === '') return undefined;
  if (!isValidTimeZone(text)) {
    throw new ValidationError(
      'timezone',
      'must be an IANA time zone name such as "America/Chicago"',
    );
  }
  return text;
}

export interface SubscriptionFilter {
  statuses?: SubscriptionStatus[];
  customerId?: string;
  planId?: string;
  nextBillDateFrom?: LocalDate;
  nextBillDateTo?: LocalDate;
  limit: number;
  offset: number;
}

/** GET /api/recurring/subscriptions query: filters, and limit (1-100, default 10) and offset. */
export function readSubscriptionFilter(query: Record<string, unknown>): SubscriptionFilter {
  const text = (key: string) => {
    const value = query[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new ValidationError(key, 'must be given once');
    return value;
  };
  const status = text('status');
  const statuses = status?.split(',').map((s) => s.trim());
  for (const s of statuses ?? []) {
    if (!isSubscriptionStatus(s)) {
      throw new ValidationError(
        'status',
        `must be one or more of ${SUBSCRIPTION_STATUSES.join(', ')} separated by commas, got ${describeValue(s)}`,
      );
    }
  }
  const from = optionalLocalDate(text('next_bill_date_from'), 'next_bill_date_from');
  const to = optionalLocalDate(text('next_bill_date_to'), 'next_bill_date_to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new ValidationError('next_bill_date_to', 'must not be before next_bill_date_from');
  }
  const { limit, offset } = readPaging(query, 10, 100);
  return {
    statuses: statuses as SubscriptionStatus[] | undefined,
    customerId: text('customer_id'),
    planId: text('plan_id'),
    nextBillDateFrom: from,
    nextBillDateTo: to,
    limit: limit ?? 10,
    offset,
  };
}
