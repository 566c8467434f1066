import type { EntityManager } from 'typeorm';

/** What credits need to know of the vault: that a customer is the merchant's own. */
export interface CustomerDirectory {
  /** With `em`, the customer is share-locked until the transaction ends (it cannot be deleted meanwhile). */
  customerExists(merchantId: string, customerId: string, em?: EntityManager): Promise<boolean>;
}
export const CUSTOMER_DIRECTORY = Symbol('CustomerDirectory');
