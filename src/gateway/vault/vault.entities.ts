import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A vaulted customer (spec: Customer Vault). Ids are unique per merchant. */
@Entity('vault_customers')
@Index(['merchantId', 'createdAt'])
export class VaultCustomer {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text', default: '' })
  notes!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  flags!: string[];

  @Column({ type: 'text', name: 'default_billing_address_id', nullable: true })
  defaultBillingAddressId!: string | null;

  @Column({ type: 'text', name: 'default_shipping_address_id', nullable: true })
  defaultShippingAddressId!: string | null;

  @Column({ type: 'text', name: 'default_payment_method_id', nullable: true })
  defaultPaymentMethodId!: string | null;

  @Column({ type: 'text', name: 'default_payment_method_type', nullable: true })
  defaultPaymentMethodType!: 'card' | 'ach' | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

export const ADDRESS_FIELDS = [
  'first_name',
  'last_name',
  'company',
  'line_1',
  'line_2',
  'city',
  'state',
  'postal_code',
  'country',
  'email',
  'phone',
  'fax',
] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

@Entity('vault_addresses')
@Index(['merchantId', 'customerId'])
export class VaultAddress {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'customer_id' })
  customerId!: string;

  @Column({ type: 'text', name: 'first_name', default: '' })
  first_name!: string;

  @Column({ type: 'text', name: 'last_name', default: '' })
  last_name!: string;

  @Column({ type: 'text', default: '' })
  company!: string;

  @Column({ type: 'text', name: 'line_1', default: '' })
  line_1!: string;

  @Column({ type: 'text', name: 'line_2', default: '' })
  line_2!: string;

  @Column({ type: 'text', default: '' })
  city!: string;

  @Column({ type: 'text', default: '' })
  state!: string;

  @Column({ type: 'text', name: 'postal_code', default: '' })
  postal_code!: string;

  @Column({ type: 'text', default: '' })
  country!: string;

  @Column({ type: 'text', default: '' })
  email!: string;

  @Column({ type: 'text', default: '' })
  phone!: string;

  @Column({ type: 'text', default: '' })
  fax!: string;

  /** SHA-256 of the address fields: two equal addresses have one hash (spec: `hash`). */
  @Column({ type: 'text' })
  hash!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

/**
 * A stored card or bank account. The full number exists only sealed (`numberSealed`,
 * AES-256-GCM bound to the merchant); everything else is safe to show.
 */
@Entity('vault_payment_methods')
@Index(['merchantId', 'customerId'])
export class VaultPaymentMethod {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text', name: 'customer_id' })
  customerId!: string;

  @Column({ type: 'text' })
  type!: 'card' | 'ach';

  @Column({ type: 'text', name: 'number_sealed' })
  numberSealed!: string;

  @Column({ type: 'text', name: 'masked_number' })
  maskedNumber!: string;

  @Column({ type: 'text', name: 'card_type', nullable: true })
  cardType!: string | null;

  @Column({ type: 'int', name: 'expiration_month', nullable: true })
  expirationMonth!: number | null;

  @Column({ type: 'int', name: 'expiration_year', nullable: true })
  expirationYear!: number | null;

  @Column({ type: 'text', name: 'routing_number', nullable: true })
  routingNumber!: string | null;

  @Column({ type: 'text', name: 'account_type', nullable: true })
  accountType!: 'checking' | 'savings' | null;

  @Column({ type: 'text', name: 'sec_code', nullable: true })
  secCode!: 'web' | 'ccd' | 'ppd' | 'tel' | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  flags!: string[];

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
