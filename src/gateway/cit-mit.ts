/**
 * Customer- and merchant-initiated transactions (spec: CIT - MIT; docs/cit-mit.md).
 *
 * The card networks want every charge on a stored card to say who started it and whether
 * the card is being stored or used. For subscriptions:
 * - the first charge (or verification) that stores the payment method for recurring use is
 *   customer-initiated: the customer is present and agrees to be billed again;
 * - every later scheduled charge is merchant-initiated and points at that first
 *   transaction, so the issuer can link the series to the customer's consent.
 */
export type CardOnFileIndicator = 'C' | 'R';
export type InitiatedBy = 'customer' | 'merchant';
export type StoredCredentialIndicator = 'stored' | 'used';
export type BillingMethod = 'straight' | 'initial_recurring' | 'recurring';

export const CARD_ON_FILE_INDICATORS: readonly CardOnFileIndicator[] = ['C', 'R'];
export const INITIATED_BY: readonly InitiatedBy[] = ['customer', 'merchant'];
export const STORED_CREDENTIAL_INDICATORS: readonly StoredCredentialIndicator[] = [
  'stored',
  'used',
];
export const BILLING_METHODS: readonly BillingMethod[] = [
  'straight',
  'initial_recurring',
  'recurring',
];

/** The CIT/MIT fields of a transaction request, as the spec names them. */
export interface StoredCredentialFields {
  card_on_file_indicator: CardOnFileIndicator;
  initiated_by: InitiatedBy;
  stored_credential_indicator: StoredCredentialIndicator;
  billing_method: BillingMethod;
  initial_transaction_id: string | null;
}

/**
 * The fields for a recurring charge on a stored payment method: customer-initiated and
 * storing when no initial transaction is known yet, merchant-initiated and using it after.
 */
export function recurringChargeFields(initialTransactionId: string | null): StoredCredentialFields {
  if (initialTransactionId === null) {
    return {
      card_on_file_indicator: 'R',
      initiated_by: 'customer',
      stored_credential_indicator: 'stored',
      billing_method: 'initial_recurring',
      initial_transaction_id: null,
    };
  }
  return {
    card_on_file_indicator: 'R',
    initiated_by: 'merchant',
    stored_credential_indicator: 'used',
    billing_method: 'recurring',
    initial_transaction_id: initialTransactionId,
  };
}

/** Whether an approved transaction with these fields starts a stored-credential series. */
export function startsRecurringSeries(fields: StoredCredentialFields): boolean {
  return fields.initiated_by === 'customer' && fields.stored_credential_indicator === 'stored';
}

/**
 * The fields of a charge the merchant initiates on a stored payment method (a scheduled
 * renewal): always merchant-initiated and `used`, naming the series' first transaction when
 * it is known (a vaulted payment method may leave it out: the gateway fills it in).
 */
export function merchantInitiatedFields(
  initialTransactionId: string | null,
): StoredCredentialFields {
  return {
    card_on_file_indicator: 'R',
    initiated_by: 'merchant',
    stored_credential_indicator: 'used',
    billing_method: 'recurring',
    initial_transaction_id: initialTransactionId,
  };
}
