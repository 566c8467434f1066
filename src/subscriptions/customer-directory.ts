import type { EntityManager } from 'typeorm';
import { ValidationError } from '../platform/errors/errors';
import type { CustomerInput } from './subscription-input';

/**
 * Where subscriptions look up vaulted customers: the customer vault's VaultService
 * (`{ provide: CUSTOMER_DIRECTORY, useExisting: VaultService }` in SubscriptionsModule). Only
 * the two lookups subscriptions need, so the rules can be tested without the vault.
 */
export const CUSTOMER_DIRECTORY = 'rebill:customer-directory';

export interface CustomerDirectory {
  findCustomer(
    merchantId: string,
    id: string,
    options?: { em?: EntityManager; lock?: 'share' },
  ): Promise<{ id: string } | null>;
  /** The customer's payment method `paymentMethodId`, of `type` when given; null when none. */
  findPaymentMethod(
    merchantId: string,
    customerId: string,
    paymentMethodId?: string | null,
    type?: 'card' | 'ach' | null,
    em?: EntityManager,
  ): Promise<{ id: string } | null>;
  /** Customers' default billing addresses (their email is where customer notices go), by `merchantId|customerId`. */
  defaultBillingAddresses(
    em: EntityManager,
    refs: readonly { merchantId: string; customerId: string }[],
  ): Promise<Map<string, { email: string }>>;
  /** One of the customer's own addresses; null when the id names none of them. */
  findAddress(
    merchantId: string,
    customerId: string,
    addressId: string,
    em?: EntityManager,
  ): Promise<{ id: string } | null>;
}

/**
 * Checks that customer.id is a vaulted customer of the merchant (locked until commit so it
 * cannot be deleted under a new subscription) and that a named payment method is one of its
 * own, of the given type, and that the billing and shipping address ids are the customer's
 * own addresses (never another customer's, nor another merchant's).
 */
export async function checkCustomerReference(
  directory: CustomerDirectory,
  em: EntityManager,
  merchantId: string,
  customerId: string,
  customer: Pick<
    CustomerInput,
    'paymentMethodType' | 'paymentMethodId' | 'billingAddressId' | 'shippingAddressId'
  >,
): Promise<void> {
  const found = await directory.findCustomer(merchantId, customerId, { em, lock: 'share' });
  if (!found) {
    throw new ValidationError('customer.id', `customer ${customerId} is not in the vault`);
  }
  for (const [field, addressId] of [
    ['customer.billing_address_id', customer.billingAddressId],
    ['customer.shipping_address_id', customer.shippingAddressId],
  ] as const) {
    if (addressId === undefined || addressId === null || addressId === '') continue;
    if (!(await directory.findAddress(merchantId, customerId, addressId, em))) {
      throw new ValidationError(field, `customer ${customerId} has no address ${addressId}`);
    }
  }
  if (customer.paymentMethodId === undefined) return;
  const method = await directory.findPaymentMethod(
    merchantId,
    customerId,
    customer.paymentMethodId,
    customer.paymentMethodType ?? null,
    em,
  );
  if (!method) {
    const kind = customer.paymentMethodType ? `${customer.paymentMethodType} ` : '';
    throw new ValidationError(
      'customer.payment_method_id',
      `customer ${customerId} has no ${kind}payment method ${customer.paymentMethodId}`,
    );
  }
}
