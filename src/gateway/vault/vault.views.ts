import { expirationVaultForm } from '../payment-details/payment-details';
import { ADDRESS_FIELDS, VaultAddress, VaultCustomer, VaultPaymentMethod } from './vault.entities';

/** Response shapes of the spec's Customer Vault. Only masked numbers, never full ones. */
export function addressView(a: VaultAddress) {
  const out: Record<string, string> = { id: a.id, hash: a.hash };
  for (const key of ADDRESS_FIELDS) out[key] = a[key];
  return out;
}

export function cardView(m: VaultPaymentMethod) {
  return {
    id: m.id,
    card_type: m.cardType ?? 'unknown',
    masked_number: m.maskedNumber,
    expiration_date: expirationVaultForm(m.expirationMonth ?? 1, m.expirationYear ?? 1970),
    flags: m.flags,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

export function achView(m: VaultPaymentMethod) {
  return {
    id: m.id,
    masked_account_number: m.maskedNumber,
    routing_number: m.routingNumber,
    account_type: m.accountType,
    sec_code: m.secCode,
    flags: m.flags,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

export function customerView(
  c: VaultCustomer,
  addresses: VaultAddress[],
  methods: VaultPaymentMethod[],
) {
  return {
    id: c.id,
    owner_id: c.merchantId,
    data: {
      customer: {
        addresses: addresses.map(addressView),
        defaults: {
          billing_address_id: c.defaultBillingAddressId ?? '',
          payment_method_id: c.defaultPaymentMethodId ?? '',
          payment_method_type: c.defaultPaymentMethodType ?? '',
          shipping_address_id: c.defaultShippingAddressId ?? '',
        },
        description: c.description,
        notes: c.notes,
        flags: c.flags,
        payments: {
          ach: methods.filter((m) => m.type === 'ach').map(achView),
          cards: methods.filter((m) => m.type === 'card').map(cardView),
        },
      },
    },
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export type CustomerView = ReturnType<typeof customerView>;
