import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AchDetails, CardDetails } from '../payment-details/payment-details';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { newId } from '../../platform/ids/ids';
import { addressHash, type AddressInput } from './vault-input';
import { VaultAddress, VaultCustomer, VaultPaymentMethod } from './vault.entities';
import { VaultService } from './vault.service';

/**
 * The vault's payment methods as the payments API sees them (docs/payments-api.md,
 * "Payment methods"): a payment method is a vaulted card or bank account, with the
 * customer's billing address as its billing details. Typed commands only.
 */
export type NewPaymentMethod =
  | { kind: 'card'; card: CardDetails }
  | { kind: 'ach'; ach: AchDetails }
  | { kind: 'token'; token: string };

export interface BillingDetails {
  name: string | null;
  email: string | null;
  phone: string | null;
  address: {
    line1: string | null;
    line2: string | null;
    city: string | null;
    state: string | null;
    postal_code: string | null;
    country: string | null;
  };
}

export interface StoredPaymentMethod {
  id: string;
  customerId: string;
  type: 'card' | 'ach';
  maskedNumber: string;
  cardType: string | null;
  expirationMonth: number | null;
  expirationYear: number | null;
  routingNumber: string | null;
  accountType: 'checking' | 'savings' | null;
  billingDetails: BillingDetails;
  createdAt: Date;
  updatedAt: Date;
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function billingOf(address: VaultAddress | null): BillingDetails {
  const name = address ? `${address.first_name} ${address.last_name}`.trim() : '';
  return {
    name: emptyToNull(name),
    email: emptyToNull(address?.email),
    phone: emptyToNull(address?.phone),
    address: {
      line1: emptyToNull(address?.line_1),
      line2: emptyToNull(address?.line_2),
      city: emptyToNull(address?.city),
      state: emptyToNull(address?.state),
      postal_code: emptyToNull(address?.postal_code),
      country: emptyToNull(address?.country),
    },
  };
}

function addressOf(details: BillingDetails): AddressInput {
  const [first, ...rest] = (details.name ?? '').trim().split(/\s+/);
  return {
    first_name: first ?? '',
    last_name: rest.join(' '),
    company: '',
    line_1: details.address.line1 ?? '',
    line_2: details.address.line2 ?? '',
    city: details.address.city ?? '',
    state: details.address.state ?? '',
    postal_code: details.address.postal_code ?? '',
    country: details.address.country ?? '',
    email: details.email ?? '',
    phone: details.phone ?? '',
    fax: '',
  };
}

@Injectable()
export class VaultPaymentMethods {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: VaultService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * A new vault customer holding this one payment method (its default), with the billing
   * details as its billing address. Inside the caller's transaction when `em` is given.
   */
  async create(
    merchantId: string,
    input: { method: NewPaymentMethod; billing: BillingDetails; description: string },
    em?: EntityManager,
  ): Promise<StoredPaymentMethod> {
    const run = async (manager: EntityManager) => {
      const { paymentMethod } = await this.vault.insertCustomer(manager, merchantId, {
        id: null,
        description: input.description.slice(0, 255),
        flags: [],
        payment: input.method,
        billing: addressOf(input.billing),
        shipping: null,
      });
      return this.load(manager, merchantId, paymentMethod!.id);
    };
    const found = em ? await run(em) : await this.dataSource.transaction(run);
    return found!;
  }

  async get(
    merchantId: string,
    id: string,
    em?: EntityManager,
  ): Promise<StoredPaymentMethod | null> {
    return this.load(em ?? this.dataSource.manager, merchantId, id);
  }

  /** Replaces the billing details (the customer's default billing address, in place). */
  async updateBillingDetails(
    merchantId: string,
    id: string,
    billing: (current: BillingDetails) => BillingDetails,
  ): Promise<StoredPaymentMethod | null> {
    return this.dataSource.transaction(async (em) => {
      const method = await em.getRepository(VaultPaymentMethod).findOneBy({ merchantId, id });
      if (!method) return null;
      const customer = await em.getRepository(VaultCustomer).findOne({
        where: { merchantId, id: method.customerId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!customer) return null;
      const addresses = em.getRepository(VaultAddress);
      const current =
        customer.defaultBillingAddressId === null
          ? null
          : await addresses.findOneBy({ merchantId, id: customer.defaultBillingAddressId });
      const next = addressOf(billing(billingOf(current)));
      const now = this.clock.now();
      if (current) {
        Object.assign(current, next, { hash: addressHash(next), updatedAt: now });
        await addresses.save(current);
      } else {
        const created = addresses.create({
          ...next,
          id: newId(),
          merchantId,
          customerId: customer.id,
          hash: addressHash(next),
          createdAt: now,
          updatedAt: now,
        });
        await addresses.insert(created);
        customer.defaultBillingAddressId = created.id;
      }
      customer.updatedAt = now;
      await em.save(customer);
      method.updatedAt = now;
      await em.save(method);
      return this.load(em, merchantId, id);
    });
  }

  private async load(
    em: EntityManager,
    merchantId: string,
    id: string,
  ): Promise<StoredPaymentMethod | null> {
    const method = await em.getRepository(VaultPaymentMethod).findOneBy({ merchantId, id });
    if (!method) return null;
    const customer = await em
      .getRepository(VaultCustomer)
      .findOneBy({ merchantId, id: method.customerId });
    const address = customer?.defaultBillingAddressId
      ? await em
          .getRepository(VaultAddress)
          .findOneBy({ merchantId, id: customer.defaultBillingAddressId })
      : null;
    return {
      id: method.id,
      customerId: method.customerId,
      type: method.type,
      maskedNumber: method.maskedNumber,
      cardType: method.cardType,
      expirationMonth: method.expirationMonth,
      expirationYear: method.expirationYear,
      routingNumber: method.routingNumber,
      accountType: method.accountType,
      billingDetails: billingOf(address),
      createdAt: method.createdAt,
      updatedAt: method.updatedAt,
    };
  }
}
