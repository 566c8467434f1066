import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { FieldCipher } from '../../platform/crypto/field-cipher';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { newId } from '../../platform/ids/ids';
import { parseApplePay, parseGooglePay, WALLET_FLAG } from '../wallets/wallet-tokens';
import {
  Body,
  isAbsent,
  optionalObject,
  optionalOneOf,
  optionalString,
} from '../../platform/http/input';
import {
  AchDetails,
  CardDetails,
  maskedAccount,
  maskedCard,
} from '../payment-details/payment-details';
import {
  DateRange,
  parseDateRange,
  parsePaging,
  parseStringCriterion,
  SqlConditions,
  StringCriterion,
} from '../search/query-search';
import { TokenizerService } from '../tokenizer/tokenizer.service';
import { VaultAddress, VaultCustomer, VaultPaymentMethod } from './vault.entities';
import {
  AddressInput,
  addressHash,
  CUSTOMER_FLAGS,
  parseAch,
  parseAddress,
  parseCardUpdate,
  parseCustomerId,
  parseDefaultPayment,
  parseFlags,
  parseToken,
  PAYMENT_METHOD_FLAGS,
  PaymentInput,
} from './vault-input';
import { EventLog } from '../../events/event-log';
import { customerView, CustomerView } from './vault.views';

/**
 * Asked before a vaulted customer or payment method is deleted: returns why it may not be
 * (a live subscription uses it), or null. Registered by other modules with
 * `VaultService.registerDeletionGuard`.
 */
export type VaultDeletionGuard = (
  em: EntityManager,
  target: { merchantId: string; customerId: string; paymentMethodId?: string; isDefault?: boolean },
) => Promise<string | null>;

/** A stored payment method opened for charging: the sealed number, unsealed in memory only. */
export interface ChargeableMethod {
  customer: VaultCustomer;
  method: VaultPaymentMethod;
  details: { kind: 'card'; card: CardDetails } | { kind: 'ach'; ach: AchDetails };
  billingAddress: VaultAddress | null;
  shippingAddress: VaultAddress | null;
}

const DESCRIPTION = { max: 255 };

/**
 * The sandbox's customer vault (spec: Customer Vault). Card and account numbers are sealed
 * with the field cipher, bound to the merchant; only masked forms leave this service.
 */
@Injectable()
export class VaultService {
  /** Registered at boot by the modules that depend on vault records (subscriptions, invoices). */
  private readonly guards: VaultDeletionGuard[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    private readonly tokenizer: TokenizerService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly eventLog: EventLog,
  ) {}

  registerDeletionGuard(guard: VaultDeletionGuard): void {
    this.guards.push(guard);
  }

  // ---- for other modules -------------------------------------------------------------

  /** The customer, or null. Pass `em` and `lock: 'share'` to keep it from being deleted until commit. */
  async findCustomer(
    merchantId: string,
    id: string,
    options: { em?: EntityManager; lock?: 'share' } = {},
  ): Promise<VaultCustomer | null> {
    const repo = (options.em ?? this.dataSource.manager).getRepository(VaultCustomer);
    if (options.lock === 'share') {
      return repo.findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_read' } });
    }
    return repo.findOneBy({ merchantId, id });
  }

  /** One of the customer's own addresses; null when the id names none of them. */
  async findAddress(
    merchantId: string,
    customerId: string,
    addressId: string,
    em?: EntityManager,
  ): Promise<{ id: string } | null> {
    return (em ?? this.dataSource.manager)
      .getRepository(VaultAddress)
      .findOneBy({ merchantId, customerId, id: addressId });
  }

  /**
   * One of the customer's payment methods, or its default when no id is given; null when
   * there is none (or the type does not match).
   */
  async findPaymentMethod(
    merchantId: string,
    customerId: string,
    paymentMethodId?: string | null,
    type?: 'card' | 'ach' | null,
    em?: EntityManager,
  ): Promise<VaultPaymentMethod | null> {
    const manager = em ?? this.dataSource.manager;
    let id = paymentMethodId ?? null;
    if (id === null || id === '') {
      const customer = await manager
        .getRepository(VaultCustomer)
        .findOneBy({ merchantId, id: customerId });
      id = customer?.defaultPaymentMethodId ?? null;
      if (id === null) return null;
    }
    const method = await manager
      .getRepository(VaultPaymentMethod)
      .findOneBy({ merchantId, customerId, id });
    if (method === null || (type && method.type !== type)) return null;
    return method;
  }

  /**
   * For a batch (the billing run): each (merchant, customer, payment method or default, type)
   * resolved to the payment method it charges, with the customer's flags; two queries.
   * Keys are `merchantId|customerId|paymentMethodId-or-empty|type-or-empty`.
   */
  async paymentMethodsFor(
    em: EntityManager,
    refs: readonly {
      merchantId: string;
      customerId: string;
      paymentMethodId: string | null;
      paymentMethodType: 'card' | 'ach' | null;
    }[],
  ): Promise<Map<string, { method: VaultPaymentMethod | null; customerFlags: string[] }>> {
    const out = new Map<string, { method: VaultPaymentMethod | null; customerFlags: string[] }>();
    if (refs.length === 0) return out;
    const customers = await this.customersOf(em, refs);
    const customerOf = new Map(customers.map((c) => [`${c.merchantId}|${c.id}`, c]));
    const wanted = refs.map((r) => {
      const customer = customerOf.get(`${r.merchantId}|${r.customerId}`);
      const id =
        r.paymentMethodId !== null && r.paymentMethodId !== ''
          ? r.paymentMethodId
          : (customer?.defaultPaymentMethodId ?? null);
      return { ref: r, customer, id };
    });
    const ids = wanted.filter((w) => w.id !== null);
    const methods: VaultPaymentMethod[] =
      ids.length === 0
        ? []
        : await em
            .getRepository(VaultPaymentMethod)
            .createQueryBuilder('m')
            .where('m.id = ANY(:ids) AND m.merchant_id = ANY(:merchants)', {
              ids: [...new Set(ids.map((w) => w.id!))],
              merchants: [...new Set(ids.map((w) => w.ref.merchantId))],
            })
            .getMany();
    const methodOf = new Map(methods.map((m) => [`${m.merchantId}|${m.customerId}|${m.id}`, m]));
    for (const w of wanted) {
      const found =
        w.id === null
          ? null
          : (methodOf.get(`${w.ref.merchantId}|${w.ref.customerId}|${w.id}`) ?? null);
      const method =
        found !== null && (!w.ref.paymentMethodType || found.type === w.ref.paymentMethodType)
          ? found
          : null;
      out.set(paymentRefKey(w.ref), { method, customerFlags: w.customer?.flags ?? [] });
    }
    return out;
  }

  /** For a batch: each customer's default billing address (`merchantId|customerId`); two queries. */
  async defaultBillingAddresses(
    em: EntityManager,
    refs: readonly { merchantId: string; customerId: string }[],
  ): Promise<Map<string, VaultAddress>> {
    const out = new Map<string, VaultAddress>();
    if (refs.length === 0) return out;
    const customers = await this.customersOf(em, refs);
    const withAddress = customers.filter((c) => c.defaultBillingAddressId !== null);
    if (withAddress.length === 0) return out;
    const addresses = await em
      .getRepository(VaultAddress)
      .createQueryBuilder('a')
      .where('a.id = ANY(:ids) AND a.merchant_id = ANY(:merchants)', {
        ids: [...new Set(withAddress.map((c) => c.defaultBillingAddressId!))],
        merchants: [...new Set(withAddress.map((c) => c.merchantId))],
      })
      .getMany();
    const wanted = new Set(
      withAddress.map((c) => `${c.merchantId}|${c.id}|${c.defaultBillingAddressId}`),
    );
    for (const a of addresses) {
      if (wanted.has(`${a.merchantId}|${a.customerId}|${a.id}`))
        out.set(`${a.merchantId}|${a.customerId}`, a);
    }
    return out;
  }

  /** The customers of (merchant, customer) pairs, in one query with two array parameters. */
  private async customersOf(
    em: EntityManager,
    refs: readonly { merchantId: string; customerId: string }[],
  ): Promise<VaultCustomer[]> {
    const wanted = new Set(refs.map((r) => `${r.merchantId}|${r.customerId}`));
    const rows = await em
      .getRepository(VaultCustomer)
      .createQueryBuilder('c')
      .where('c.id = ANY(:ids) AND c.merchant_id = ANY(:merchants)', {
        ids: [...new Set(refs.map((r) => r.customerId))],
        merchants: [...new Set(refs.map((r) => r.merchantId))],
      })
      .getMany();
    return rows.filter((c) => wanted.has(`${c.merchantId}|${c.id}`));
  }

  // ---- customers ---------------------------------------------------------------------

  async createCustomer(merchantId: string, body: Body): Promise<CustomerView> {
    const now = this.clock.now();
    const customId = parseCustomerId(body.id);
    const idFormat = optionalOneOf(body.id_format, 'id_format', ID_FORMATS);
    if (idFormat !== undefined && customId !== null) {
      throw new ValidationError('id_format', 'cannot be used together with a custom id');
    }
    const description = optionalString(body.description, 'description', DESCRIPTION) ?? '';
    const flags = parseFlags(body.flags, 'flags', CUSTOMER_FLAGS) ?? [];
    const payment = parseDefaultPayment(body.default_payment, now);
    const billing = isAbsent(body.default_billing_address)
      ? null
      : parseAddress(body.default_billing_address, 'default_billing_address');
    const shipping = isAbsent(body.default_shipping_address)
      ? null
      : parseAddress(body.default_shipping_address, 'default_shipping_address');

    const id = await this.dataSource.transaction(async (em) => {
      // id_format "xid_type_last4": a generated id, the card brand (or "ach") and the last 4.
      let opened = payment;
      let id = customId;
      if (idFormat !== undefined) {
        if (payment === null) {
          throw new ValidationError(
            'id_format',
            'needs a default_payment to take type and last4 from',
          );
        }
        if (payment.kind === 'token') {
          const details = await this.tokenizer.consume(
            em,
            merchantId,
            payment.token,
            'default_payment.token',
          );
          opened = details;
        }
        id = formattedCustomerId(opened!);
      }
      const created = await this.insertCustomer(em, merchantId, {
        id,
        description,
        flags,
        payment: opened,
        billing,
        shipping,
      });
      return created.customer.id;
    });
    return this.getCustomer(merchantId, id);
  }

  /**
   * Creates a customer with optional addresses and payment method, inside the caller's
   * transaction (the transactions service uses it for `create_vault_record`).
   */
  async insertCustomer(
    em: EntityManager,
    merchantId: string,
    input: {
      id: string | null;
      description: string;
      flags: string[];
      payment: PaymentInput | null;
      billing: AddressInput | null;
      shipping: AddressInput | null;
    },
  ): Promise<{ customer: VaultCustomer; paymentMethod: VaultPaymentMethod | null }> {
    const now = this.clock.now();
    const customer = em.create(VaultCustomer, {
      merchantId,
      id: input.id ?? newId(),
      description: input.description,
      notes: '',
      flags: input.flags,
      defaultBillingAddressId: null,
      defaultShippingAddressId: null,
      defaultPaymentMethodId: null,
      defaultPaymentMethodType: null,
      createdAt: now,
      updatedAt: now,
    });
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(VaultCustomer)
      .values(customer)
      .orIgnore()
      .returning(['id'])
      .execute();
    if (inserted.raw.length === 0) {
      throw new ConflictError(`a customer with id ${customer.id} already exists`);
    }
    if (input.billing !== null) {
      const address = await this.insertAddress(em, merchantId, customer.id, input.billing);
      customer.defaultBillingAddressId = address.id;
      customer.defaultShippingAddressId = address.id;
    }
    if (input.shipping !== null) {
      const sameAsBilling =
        input.billing !== null && addressHash(input.billing) === addressHash(input.shipping);
      if (!sameAsBilling) {
        const address = await this.insertAddress(em, merchantId, customer.id, input.shipping);
        customer.defaultShippingAddressId = address.id;
        if (input.billing === null) customer.defaultBillingAddressId = null;
      }
    }
    let paymentMethod: VaultPaymentMethod | null = null;
    if (input.payment !== null) {
      paymentMethod = await this.insertPaymentMethod(
        em,
        merchantId,
        customer.id,
        input.payment,
        [],
        'default_payment.token',
      );
      customer.defaultPaymentMethodId = paymentMethod.id;
      customer.defaultPaymentMethodType = paymentMethod.type;
    }
    await em.save(customer);
    await this.recordCustomerEvent(em, customer, 'customer.created');
    return { customer, paymentMethod };
  }

  async getCustomer(merchantId: string, id: string): Promise<CustomerView> {
    const views = await this.loadViews(this.dataSource.manager, merchantId, [id]);
    if (views.length === 0) throw new NotFoundError('customer', id);
    return views[0];
  }

  async updateCustomer(merchantId: string, id: string, body: Body): Promise<CustomerView> {
    const description = optionalString(body.description, 'description', DESCRIPTION);
    const notes = optionalString(body.notes, 'notes', DESCRIPTION);
    const flags = parseFlags(body.flags, 'flags', CUSTOMER_FLAGS);
    const defaults = optionalObject(body.defaults, 'defaults');
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, id);
      if (description !== undefined) customer.description = description;
      if (notes !== undefined) customer.notes = notes;
      if (flags !== null) customer.flags = flags;
      if (defaults !== undefined) await this.applyDefaults(em, customer, defaults);
      customer.updatedAt = this.clock.now();
      await em.save(customer);
      await this.recordCustomerEvent(em, customer, 'customer.updated');
    });
    return this.getCustomer(merchantId, id);
  }

  async deleteCustomer(merchantId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, id);
      for (const guard of this.guards) {
        const refusal = await guard(em, { merchantId, customerId: id });
        if (refusal !== null)
          throw new ConflictError(`customer ${id} cannot be deleted: ${refusal}`);
      }
      // The event carries the customer as it was, before it is gone.
      await this.recordCustomerEvent(em, customer, 'customer.deleted');
      await em.getRepository(VaultCustomer).delete({ merchantId, id });
    });
  }

  async searchCustomers(
    merchantId: string,
    body: Body,
  ): Promise<{ data: CustomerView[]; total: number }> {
    const search = parseCustomerSearch(body);
    const sql = new SqlConditions([merchantId]);
    sql.add('c.merchant_id = $1');
    for (const [field, criterion] of search.addressCriteria) {
      const p = sql.param(criterion.value);
      const exists = `EXISTS (SELECT 1 FROM vault_addresses a WHERE a.merchant_id = c.merchant_id AND a.customer_id = c.id AND a.${field} = ${p})`;
      sql.add(criterion.operator === '=' ? exists : `NOT ${exists}`);
    }
    if (search.paymentMethodType !== null) {
      const p = sql.param(search.paymentMethodType.value);
      const exists = `EXISTS (SELECT 1 FROM vault_payment_methods m WHERE m.merchant_id = c.merchant_id AND m.customer_id = c.id AND m.type = ${p})`;
      sql.add(search.paymentMethodType.operator === '=' ? exists : `NOT ${exists}`);
    }
    if (search.id !== null) sql.string('c.id', search.id);
    if (search.billingAddressId !== null)
      sql.string('c.default_billing_address_id', search.billingAddressId);
    if (search.shippingAddressId !== null)
      sql.string('c.default_shipping_address_id', search.shippingAddressId);
    if (search.createdAt !== null) sql.range('c.created_at', search.createdAt);
    if (search.updatedAt !== null) sql.range('c.updated_at', search.updatedAt);

    const where = sql.where();
    const count: { total: string }[] = await this.dataSource.query(
      `SELECT count(*) AS total FROM vault_customers c WHERE ${where}`,
      sql.params,
    );
    const limit = sql.param(search.limit);
    const offset = sql.param(search.offset);
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT c.id FROM vault_customers c WHERE ${where}
        ORDER BY c.created_at DESC, c.id LIMIT ${limit} OFFSET ${offset}`,
      sql.params,
    );
    const views = await this.loadViews(
      this.dataSource.manager,
      merchantId,
      rows.map((r) => r.id),
    );
    return { data: views, total: Number(count[0].total) };
  }

  // ---- addresses ---------------------------------------------------------------------

  async createAddress(merchantId: string, customerId: string, body: Body): Promise<CustomerView> {
    const input = parseAddress(body, 'address');
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, customerId);
      const address = await this.insertAddress(em, merchantId, customerId, input);
      // NOTE: a customer's only address is its default billing and shipping address (spec).
      if (customer.defaultBillingAddressId === null) customer.defaultBillingAddressId = address.id;
      if (customer.defaultShippingAddressId === null)
        customer.defaultShippingAddressId = address.id;
      customer.updatedAt = this.clock.now();
      await em.save(customer);
      await this.recordCustomerEvent(em, customer, 'customer.updated');
    });
    return this.getCustomer(merchantId, customerId);
  }

  async updateAddress(
    merchantId: string,
    customerId: string,
    addressId: string,
    body: Body,
  ): Promise<CustomerView> {
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, customerId);
      const address = await em
        .getRepository(VaultAddress)
        .findOneBy({ merchantId, customerId, id: addressId });
      if (!address) throw new NotFoundError('address', addressId);
      // Fields left out of the body keep their values.
      const merged = parseAddress({ ...pickAddress(address), ...body }, 'address');
      Object.assign(address, merged, { hash: addressHash(merged), updatedAt: this.clock.now() });
      await em.save(address);
      customer.updatedAt = this.clock.now();
      await em.save(customer);
      await this.recordCustomerEvent(em, customer, 'customer.updated');
    });
    return this.getCustomer(merchantId, customerId);
  }

  async deleteAddress(merchantId: string, customerId: string, addressId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, customerId);
      const result = await em
        .getRepository(VaultAddress)
        .delete({ merchantId, customerId, id: addressId });
      if (!result.affected) throw new NotFoundError('address', addressId);
      const remaining = await em.getRepository(VaultAddress).findBy({ merchantId, customerId });
      const fallback = remaining.length === 1 ? remaining[0].id : null;
      if (customer.defaultBillingAddressId === addressId)
        customer.defaultBillingAddressId = fallback;
      if (customer.defaultShippingAddressId === addressId)
        customer.defaultShippingAddressId = fallback;
      customer.updatedAt = this.clock.now();
      await em.save(customer);
      await this.recordCustomerEvent(em, customer, 'customer.updated');
    });
  }

  // ---- payment methods ---------------------------------------------------------------

  async createPaymentMethod(
    merchantId: string,
    customerId: string,
    kind: 'card' | 'ach' | 'token' | 'applepay' | 'googlepay',
    body: Body,
  ): Promise<CustomerView> {
    const now = this.clock.now();
    const flags = parseFlags(body.flags, 'flags', PAYMENT_METHOD_FLAGS) ?? [];
    let input: PaymentInput;
    if (kind === 'card') {
      const update = parseCardUpdate(body, now);
      if (update.number === null) throw new ValidationError('number', 'is required');
      if (update.expiration === null)
        throw new ValidationError('expiration_date', 'is required ("MM/YY")');
      input = {
        kind: 'card',
        card: {
          number: update.number,
          expirationMonth: update.expiration.month,
          expirationYear: update.expiration.year,
          cardType: update.cardType as CardDetails['cardType'],
        },
      };
    } else if (kind === 'ach') {
      input = { kind: 'ach', ach: parseAch(body, 'ach') };
    } else if (kind === 'applepay') {
      // The body is the spec's apple_pay object, or holds it under "apple_pay".
      const applePay = isAbsent(body.apple_pay) ? body : body.apple_pay;
      input = { kind: 'wallet', ...parseApplePay(applePay, 'apple_pay', now) };
    } else if (kind === 'googlepay') {
      input = { kind: 'wallet', ...parseGooglePay(body.google_pay_token, 'google_pay_token', now) };
    } else {
      input = { kind: 'token', token: parseToken(body.token, 'token') };
    }
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, customerId);
      const method = await this.insertPaymentMethod(
        em,
        merchantId,
        customerId,
        input,
        flags,
        'token',
      );
      if (customer.defaultPaymentMethodId === null) {
        customer.defaultPaymentMethodId = method.id;
        customer.defaultPaymentMethodType = method.type;
      }
      customer.updatedAt = now;
      await em.save(customer);
      await this.recordCustomerEvent(em, customer, 'customer.updated');
    });
    return this.getCustomer(merchantId, customerId);
  }

  async updatePaymentMethod(
    merchantId: string,
    customerId: string,
    kind: 'card' | 'ach' | 'token',
    paymentMethodId: string,
    body: Body,
  ): Promise<CustomerView> {
    const now = this.clock.now();
    const flags = parseFlags(body.flags, 'flags', PAYMENT_METHOD_FLAGS);
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, customerId);
      const method = await em
        .getRepository(VaultPaymentMethod)
        .findOneBy({ merchantId, customerId, id: paymentMethodId });
      if (!method || (kind !== 'token' && method.type !== kind)) {
        throw new NotFoundError(kind === 'ach' ? 'ach payment method' : 'card', paymentMethodId);
      }
      if (kind === 'token') {
        // A new token replaces the stored details (same id, so subscriptions keep pointing at it).
        const details = await this.tokenizer.consume(
          em,
          merchantId,
          parseToken(body.token, 'token'),
          'token',
        );
        this.applyDetails(method, details);
      } else if (method.type === 'card') {
        const update = parseCardUpdate(body, now);
        if (update.number !== null) {
          method.numberSealed = this.seal(merchantId, update.number);
          method.maskedNumber = maskedCard(update.number);
          method.cardType = update.cardType;
        }
        if (update.expiration !== null) {
          method.expirationMonth = update.expiration.month;
          method.expirationYear = update.expiration.year;
        }
      } else {
        const current = this.openAch(method);
        const merged = parseAch(
          {
            routing_number: current.routingNumber,
            account_number: current.accountNumber,
            account_type: current.accountType,
            sec_code: current.secCode,
            ...Object.fromEntries(
              Object.entries(body).filter(([, v]) => v !== undefined && v !== ''),
            ),
          },
          'ach',
        );
        this.applyDetails(method, { kind: 'ach', ach: merged });
      }
      if (flags !== null) method.flags = flags;
      method.updatedAt = now;
      await em.save(method);
      customer.updatedAt = now;
      await em.save(customer);
      await this.recordCustomerEvent(em, customer, 'customer.updated');
    });
    return this.getCustomer(merchantId, customerId);
  }

  async deletePaymentMethod(
    merchantId: string,
    customerId: string,
    kind: 'card' | 'ach' | 'token',
    paymentMethodId: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const customer = await this.lockCustomer(em, merchantId, customerId);
      const method = await em
        .getRepository(VaultPaymentMethod)
        .findOneBy({ merchantId, customerId, id: paymentMethodId });
      if (!method || (kind !== 'token' && method.type !== kind)) {
        throw new NotFoundError(kind === 'ach' ? 'ach payment method' : 'card', paymentMethodId);
      }
      const isDefault = customer.defaultPaymentMethodId === paymentMethodId;
      for (const guard of this.guards) {
        const refusal = await guard(em, { merchantId, customerId, paymentMethodId, isDefault });
        if (refusal !== null) {
          throw new ConflictError(
            `payment method ${paymentMethodId} cannot be deleted: ${refusal}`,
          );
        }
      }
      await em
        .getRepository(VaultPaymentMethod)
        .delete({ merchantId, customerId, id: paymentMethodId });
      if (isDefault) {
        // NOTE: no other method silently becomes the default: charging a card the customer
        // did not pick is worse than a charge that asks for one.
        customer.defaultPaymentMethodId = null;
        customer.defaultPaymentMethodType = null;
      }
      customer.updatedAt = this.clock.now();
      await em.save(customer);
      await this.recordCustomerEvent(em, customer, 'customer.updated');
    });
  }

  // ---- charging (transactions) ------------------------------------------------------

  /**
   * The stored payment method and addresses a transaction charges, unsealed for the
   * sandbox's processing only. Missing ids fall back to the customer's defaults.
   */
  async openForCharge(
    em: EntityManager,
    merchantId: string,
    ref: {
      customerId: string;
      paymentMethodId: string | null;
      paymentMethodType: 'card' | 'ach' | null;
      billingAddressId: string | null;
      shippingAddressId: string | null;
    },
    field: string,
  ): Promise<ChargeableMethod> {
    const customer = await em
      .getRepository(VaultCustomer)
      .findOne({ where: { merchantId, id: ref.customerId }, lock: { mode: 'pessimistic_read' } });
    if (!customer) throw new ValidationError(`${field}.id`, 'is not a customer in the vault');
    const method = await this.findPaymentMethod(
      merchantId,
      customer.id,
      ref.paymentMethodId,
      ref.paymentMethodType,
      em,
    );
    if (!method) {
      throw new ValidationError(
        `${field}.payment_method_id`,
        ref.paymentMethodId
          ? `is not a${ref.paymentMethodType ? ` ${ref.paymentMethodType}` : ''} payment method of customer ${customer.id}`
          : `is required: customer ${customer.id} has no default payment method`,
      );
    }
    const address = async (id: string | null, fallback: string | null, name: string) => {
      const wanted = id ?? fallback;
      if (wanted === null || wanted === '') return null;
      const found = await em
        .getRepository(VaultAddress)
        .findOneBy({ merchantId, customerId: customer.id, id: wanted });
      if (!found && id !== null)
        throw new ValidationError(
          `${field}.${name}`,
          `is not an address of customer ${customer.id}`,
        );
      return found;
    };
    return {
      customer,
      method,
      details:
        method.type === 'card'
          ? {
              kind: 'card',
              card: {
                number: this.unseal(merchantId, method.numberSealed),
                expirationMonth: method.expirationMonth ?? 1,
                expirationYear: method.expirationYear ?? 1970,
                cardType: (method.cardType ?? 'unknown') as CardDetails['cardType'],
              },
            }
          : { kind: 'ach', ach: this.openAch(method) },
      billingAddress: await address(
        ref.billingAddressId,
        customer.defaultBillingAddressId,
        'billing_address_id',
      ),
      shippingAddress: await address(
        ref.shippingAddressId,
        customer.defaultShippingAddressId,
        'shipping_address_id',
      ),
    };
  }

  // ---- internals ---------------------------------------------------------------------

  /** Records a customer event with the customer as GET shows it, in the change's transaction. */
  private async recordCustomerEvent(
    em: EntityManager,
    customer: VaultCustomer,
    type: 'customer.created' | 'customer.updated' | 'customer.deleted',
  ): Promise<void> {
    const [view] = await this.loadViews(em, customer.merchantId, [customer.id]);
    await this.eventLog.record(em, [
      {
        merchantId: customer.merchantId,
        type,
        objectType: 'customer',
        objectId: customer.id,
        data: view,
      },
    ]);
  }

  private async lockCustomer(
    em: EntityManager,
    merchantId: string,
    id: string,
  ): Promise<VaultCustomer> {
    const customer = await em
      .getRepository(VaultCustomer)
      .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
    if (!customer) throw new NotFoundError('customer', id);
    return customer;
  }

  private async insertAddress(
    em: EntityManager,
    merchantId: string,
    customerId: string,
    input: AddressInput,
  ): Promise<VaultAddress> {
    const now = this.clock.now();
    const address = em.create(VaultAddress, {
      ...input,
      id: newId(),
      merchantId,
      customerId,
      hash: addressHash(input),
      createdAt: now,
      updatedAt: now,
    });
    await em.insert(VaultAddress, address);
    return address;
  }

  async insertPaymentMethod(
    em: EntityManager,
    merchantId: string,
    customerId: string,
    input: PaymentInput,
    flags: string[],
    tokenField: string,
  ): Promise<VaultPaymentMethod> {
    const now = this.clock.now();
    const details =
      input.kind === 'token'
        ? await this.tokenizer.consume(em, merchantId, input.token, tokenField)
        : input.kind === 'card' || input.kind === 'wallet'
          ? ({ kind: 'card', card: input.card } as const)
          : ({ kind: 'ach', ach: input.ach } as const);
    const method = em.create(VaultPaymentMethod, {
      id: newId(),
      merchantId,
      customerId,
      // A wallet's DPAN is stored as a card, flagged with its wallet (spec flag "applepay").
      flags:
        input.kind === 'wallet' && !flags.includes(WALLET_FLAG[input.wallet])
          ? [...flags, WALLET_FLAG[input.wallet]]
          : flags,
      createdAt: now,
      updatedAt: now,
    });
    this.applyDetails(method, details);
    await em.insert(VaultPaymentMethod, method);
    return method;
  }

  private applyDetails(
    method: VaultPaymentMethod,
    details: { kind: 'card'; card: CardDetails } | { kind: 'ach'; ach: AchDetails },
  ): void {
    if (details.kind === 'card') {
      Object.assign(method, {
        type: 'card',
        numberSealed: this.seal(method.merchantId, details.card.number),
        maskedNumber: maskedCard(details.card.number),
        cardType: details.card.cardType,
        expirationMonth: details.card.expirationMonth,
        expirationYear: details.card.expirationYear,
        routingNumber: null,
        accountType: null,
        secCode: null,
      });
    } else {
      Object.assign(method, {
        type: 'ach',
        numberSealed: this.seal(method.merchantId, details.ach.accountNumber),
        maskedNumber: maskedAccount(details.ach.accountNumber),
        cardType: null,
        expirationMonth: null,
        expirationYear: null,
        routingNumber: details.ach.routingNumber,
        accountType: details.ach.accountType,
        secCode: details.ach.secCode,
      });
    }
  }

  private openAch(method: VaultPaymentMethod): AchDetails {
    return {
      routingNumber: method.routingNumber ?? '',
      accountNumber: this.unseal(method.merchantId, method.numberSealed),
      accountType: method.accountType ?? 'checking',
      secCode: method.secCode ?? 'web',
    };
  }

  private seal(merchantId: string, number: string): string {
    return this.cipher.encrypt(number, `vault_payment_methods:${merchantId}`);
  }

  private unseal(merchantId: string, sealed: string): string {
    return this.cipher.decrypt(sealed, `vault_payment_methods:${merchantId}`);
  }

  private async applyDefaults(
    em: EntityManager,
    customer: VaultCustomer,
    defaults: Body,
  ): Promise<void> {
    const { merchantId, id: customerId } = customer;
    for (const [field, key] of [
      ['billing_address_id', 'defaultBillingAddressId'],
      ['shipping_address_id', 'defaultShippingAddressId'],
    ] as const) {
      const value = optionalString(defaults[field], `defaults.${field}`);
      if (value === undefined) continue;
      if (value === '') {
        customer[key] = null;
        continue;
      }
      const found = await em
        .getRepository(VaultAddress)
        .findOneBy({ merchantId, customerId, id: value });
      if (!found)
        throw new ValidationError(
          `defaults.${field}`,
          `is not an address of customer ${customerId}`,
        );
      customer[key] = value;
    }
    const methodId = optionalString(defaults.payment_method_id, 'defaults.payment_method_id');
    const methodType = optionalOneOf(defaults.payment_method_type, 'defaults.payment_method_type', [
      'card',
      'ach',
    ] as const);
    if (methodId === undefined && methodType === undefined) return;
    if (methodId === undefined || methodId === '') {
      throw new ValidationError(
        'defaults.payment_method_id',
        'is required when payment_method_type is present',
      );
    }
    if (methodType === undefined) {
      throw new ValidationError(
        'defaults.payment_method_type',
        'is required when payment_method_id is present',
      );
    }
    const method = await em
      .getRepository(VaultPaymentMethod)
      .findOneBy({ merchantId, customerId, id: methodId, type: methodType });
    if (!method) {
      throw new ValidationError(
        'defaults.payment_method_id',
        `is not a ${methodType} payment method of customer ${customerId}`,
      );
    }
    customer.defaultPaymentMethodId = methodId;
    customer.defaultPaymentMethodType = methodType;
  }

  private async loadViews(
    em: EntityManager,
    merchantId: string,
    ids: string[],
  ): Promise<CustomerView[]> {
    if (ids.length === 0) return [];
    const customers = await em.getRepository(VaultCustomer).findBy({ merchantId, id: In(ids) });
    const addresses = await em
      .getRepository(VaultAddress)
      .find({ where: { merchantId, customerId: In(ids) }, order: { createdAt: 'ASC', id: 'ASC' } });
    const methods = await em
      .getRepository(VaultPaymentMethod)
      .find({ where: { merchantId, customerId: In(ids) }, order: { createdAt: 'ASC', id: 'ASC' } });
    const byId = new Map(customers.map((c) => [c.id, c]));
    return ids
      .map((id) => byId.get(id))
      .filter((c): c is VaultCustomer => c !== undefined)
      .map((c) =>
        customerView(
          c,
          addresses.filter((a) => a.customerId === c.id),
          methods.filter((m) => m.customerId === c.id),
        ),
      );
  }
}

function pickAddress(a: VaultAddress): Record<string, string> {
  return {
    first_name: a.first_name,
    last_name: a.last_name,
    company: a.company,
    line_1: a.line_1,
    line_2: a.line_2,
    city: a.city,
    state: a.state,
    postal_code: a.postal_code,
    country: a.country,
    email: a.email,
    phone: a.phone,
    fax: a.fax,
  };
}

const ADDRESS_SEARCH_FIELDS: Record<string, string> = {
  address_id: 'id',
  first_name: 'first_name',
  last_name: 'last_name',
  company: 'company',
  address_line_1: 'line_1',
  address_line_2: 'line_2',
  city: 'city',
  state: 'state',
  postal_code: 'postal_code',
  country: 'country',
  email: 'email',
  phone: 'phone',
  fax: 'fax',
};

const CUSTOMER_SEARCH_FIELDS = [
  'id',
  ...Object.keys(ADDRESS_SEARCH_FIELDS),
  'payment_method_type',
  'billing_address_id',
  'shipping_address_id',
  'created_at',
  'updated_at',
  'limit',
  'offset',
];

interface CustomerSearch {
  id: StringCriterion | null;
  addressCriteria: [string, StringCriterion][];
  paymentMethodType: StringCriterion | null;
  billingAddressId: StringCriterion | null;
  shippingAddressId: StringCriterion | null;
  createdAt: DateRange | null;
  updatedAt: DateRange | null;
  limit: number;
  offset: number;
}

/** Spec: Search Customer Records. Address criteria match any of the customer's addresses. */
export function parseCustomerSearch(body: Body): CustomerSearch {
  for (const key of Object.keys(body)) {
    if (!CUSTOMER_SEARCH_FIELDS.includes(key))
      throw new ValidationError(key, 'is not a searchable field');
  }
  const addressCriteria: [string, StringCriterion][] = [];
  for (const [name, column] of Object.entries(ADDRESS_SEARCH_FIELDS)) {
    const c = parseStringCriterion(body[name], name);
    if (c !== null) addressCriteria.push([column, c]);
  }
  return {
    id: parseStringCriterion(body.id, 'id'),
    addressCriteria,
    paymentMethodType: parseStringCriterion(body.payment_method_type, 'payment_method_type'),
    billingAddressId: parseStringCriterion(body.billing_address_id, 'billing_address_id'),
    shippingAddressId: parseStringCriterion(body.shipping_address_id, 'shipping_address_id'),
    createdAt: parseDateRange(body.created_at, 'created_at'),
    updatedAt: parseDateRange(body.updated_at, 'updated_at'),
    ...parsePaging(body, { limit: 10, maxLimit: 100, maxOffset: 1_000_000 }),
  };
}

/** The key `paymentMethodsFor` answers under. */
export function paymentRefKey(r: {
  merchantId: string;
  customerId: string;
  paymentMethodId: string | null;
  paymentMethodType: 'card' | 'ach' | null;
}): string {
  return `${r.merchantId}|${r.customerId}|${r.paymentMethodId ?? ''}|${r.paymentMethodType ?? ''}`;
}

/** Spec: id_format on Create Customer Record; the one format it names. */
export const ID_FORMATS = ['xid_type_last4'] as const;

function formattedCustomerId(payment: PaymentInput): string {
  if (payment.kind === 'ach') return `${newId()}_ach_${payment.ach.accountNumber.slice(-4)}`;
  if (payment.kind === 'token') throw new Error('a token is opened before its id is formatted');
  return `${newId()}_${payment.card.cardType}_${payment.card.number.slice(-4)}`;
}
