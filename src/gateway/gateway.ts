/**
 * Everything the engine asks of a payment gateway. Two implementations:
 * - SandboxGateway (sandbox/sandbox.gateway.ts): Rebill's own sandbox, in-process;
 * - HttpGateway (http/http.gateway.ts): any server speaking the gateway API, over HTTP.
 * GatewayFactory.forProcessor(processor) picks one from the processor's configuration.
 *
 * Money is integer cents. Card and account numbers go in, only masked forms come out.
 */
import type { DeclineKind } from './response-codes';
import type { StoredCredentialFields } from './cit-mit';

export type { DeclineKind } from './response-codes';
export type { StoredCredentialFields } from './cit-mit';

export type TransactionStatus =
  'unknown' | 'declined' | 'authorized' | 'pending_settlement' | 'settled' | 'voided' | 'refunded';

/** What is charged. */
export type ChargeSource =
  | {
      kind: 'customer';
      customerId: string;
      /** The customer's default when absent. */
      paymentMethodId?: string;
      paymentMethodType?: 'card' | 'ach';
      billingAddressId?: string;
      shippingAddressId?: string;
    }
  | { kind: 'card'; number: string; expirationDate: string; cvc?: string }
  | {
      kind: 'ach';
      routingNumber: string;
      accountNumber: string;
      accountType: 'checking' | 'savings';
      secCode: 'web' | 'ccd' | 'ppd' | 'tel';
    }
  | { kind: 'token'; token: string };

export interface ChargeRequest {
  /**
   * Stable per charge attempt: the same attempt retried (after a crash, say) sends the same
   * key, and the gateway answers the first result instead of charging twice.
   */
  idempotencyKey: string;
  /** Cents, every fee and tax included. */
  amount: number;
  source: ChargeSource;
  currency?: string;
  /** Up to 17 letters, digits, '-' or '_'. Set one per attempt: it resolves unknown outcomes. */
  orderId?: string;
  poNumber?: string;
  description?: string;
  taxAmount?: number;
  shippingAmount?: number;
  allowPartialPayment?: boolean;
  emailReceipt?: boolean;
  emailAddress?: string;
  /** CIT/MIT fields (cit-mit.ts: recurringChargeFields). */
  storedCredential?: StoredCredentialFields;
}

export type ChargeOutcomeKind = 'approved' | 'partially_approved' | 'declined' | 'unknown';

export interface ChargeOutcome {
  kind: ChargeOutcomeKind;
  /** The gateway's transaction id; null when the outcome is unknown or nothing was recorded. */
  transactionId: string | null;
  /** The spec's response code (100, 110, 200–499); 0 when unknown. */
  responseCode: number;
  message: string;
  /** For declines: whether retrying the same payment method later may succeed. */
  declineKind: DeclineKind | null;
  amountRequested: number;
  /** What was approved: the amount, less for a partial approval, 0 when declined or unknown. */
  amountApproved: number;
  status: TransactionStatus;
  avsResponseCode: string | null;
  cvvResponseCode: string | null;
  authCode: string | null;
  /**
   * For unknown outcomes: why ('timeout', 'connection_lost', 'bad_response', ...). The
   * attempt may or may not have charged; resolve it with `findAttempt`, never by charging
   * again under a new key.
   */
  unknownReason?: string;
}

export type FollowUpOutcome =
  | { kind: 'done'; transaction: GatewayTransaction | null }
  /** The gateway refused (capture above the authorized amount, void after settlement, ...). */
  | { kind: 'refused'; httpStatus: number; message: string }
  /** No answer: the follow-up may or may not have happened; look the transaction up. */
  | { kind: 'unknown'; reason: string };

/** A transaction as the engine sees it. */
export interface GatewayTransaction {
  id: string;
  type: string;
  status: TransactionStatus;
  responseCode: number;
  amount: number;
  amountAuthorized: number;
  amountCaptured: number;
  amountSettled: number;
  amountRefunded: number;
  orderId: string | null;
  idempotencyKey: string | null;
  customerId: string | null;
  createdAt: string;
}

export interface AttemptQuery {
  idempotencyKey: string;
  orderId?: string;
  amount: number;
  /** When the attempt started; matches older than this (less a margin) are ignored. */
  since: Date;
}

export type AttemptLookup =
  | { kind: 'found'; outcome: ChargeOutcome }
  /** The gateway has no such attempt: it never arrived, so it may be sent again (same key). */
  | { kind: 'not_found' }
  /** The gateway could not be asked, or the answer did not single out one transaction. */
  | { kind: 'unresolved'; reason: string };

export interface VaultCustomerInput {
  id?: string;
  description?: string;
  flags?: string[];
  payment?: Exclude<ChargeSource, { kind: 'customer' }>;
  billingAddress?: VaultAddressInput;
  shippingAddress?: VaultAddressInput;
}

export interface VaultAddressInput {
  first_name?: string;
  last_name?: string;
  company?: string;
  line_1?: string;
  line_2?: string;
  city?: string;
  state?: string;
  postal_code?: string;
  country?: string;
  email?: string;
  phone?: string;
  fax?: string;
}

export interface GatewayCustomer {
  id: string;
  defaultPaymentMethodId: string | null;
  defaultPaymentMethodType: 'card' | 'ach' | null;
  paymentMethods: { id: string; type: 'card' | 'ach'; masked: string; cardType: string | null }[];
}

export type VaultOutcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'refused'; httpStatus: number; message: string }
  | { kind: 'unknown'; reason: string };

export interface PaymentGateway {
  readonly kind: 'sandbox' | 'http';
  readonly processorId: string;

  /** Authorize and capture. */
  sale(request: ChargeRequest): Promise<ChargeOutcome>;
  /** Authorize only; capture later. */
  authorize(request: ChargeRequest): Promise<ChargeOutcome>;
  /** A zero-amount check that the payment method is good (and, with CIT fields, stores it). */
  verify(request: Omit<ChargeRequest, 'amount'>): Promise<ChargeOutcome>;
  /** Money to the customer without an earlier sale. */
  credit(request: ChargeRequest): Promise<ChargeOutcome>;

  capture(transactionId: string, amount?: number): Promise<FollowUpOutcome>;
  void(transactionId: string): Promise<FollowUpOutcome>;
  refund(transactionId: string, amount?: number): Promise<FollowUpOutcome>;

  getTransaction(transactionId: string): Promise<GatewayTransaction | null>;
  /** Resolves an unknown outcome: finds the attempt by its idempotency key or order id. */
  findAttempt(query: AttemptQuery): Promise<AttemptLookup>;

  createCustomer(input: VaultCustomerInput): Promise<VaultOutcome<GatewayCustomer>>;
  getCustomer(customerId: string): Promise<GatewayCustomer | null>;
}
