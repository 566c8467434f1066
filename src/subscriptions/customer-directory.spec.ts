import type { EntityManager } from 'typeorm';
import { checkCustomerReference, CustomerDirectory } from './customer-directory';

/** A vault with customer "cus1" holding card "card1" and bank account "bank1". */
const vault: CustomerDirectory = {
  async findCustomer(merchantId, id) {
    return merchantId === 'm1' && id === 'cus1' ? { id } : null;
  },
  async findPaymentMethod(merchantId, customerId, paymentMethodId, type) {
    const methods = [
      { id: 'card1', type: 'card' },
      { id: 'bank1', type: 'ach' },
    ];
    const method = methods.find(
      (m) => m.id === paymentMethodId && (!type || m.type === type) && customerId === 'cus1',
    );
    return merchantId === 'm1' && method ? { id: method.id } : null;
  },
  async defaultBillingAddresses() {
    return new Map();
  },
  async findAddress(merchantId, customerId, addressId) {
    return merchantId === 'm1' && customerId === 'cus1' && addressId === 'addr1'
      ? { id: addressId }
      : null;
  },
};
const em = {} as EntityManager;

describe('checking a subscription customer against the vault', () => {
  it('accepts a vaulted customer with no payment method named (its default applies)', async () => {
    await expect(checkCustomerReference(vault, em, 'm1', 'cus1', {})).resolves.toBeUndefined();
  });

  it('refuses a customer of another merchant as if it did not exist, naming customer.id', async () => {
    await expect(checkCustomerReference(vault, em, 'm2', 'cus1', {})).rejects.toThrow(
      'invalid customer.id: customer cus1 is not in the vault',
    );
  });

  it("accepts the customer's own address ids and refuses any other, naming the field", async () => {
    await expect(
      checkCustomerReference(vault, em, 'm1', 'cus1', {
        billingAddressId: 'addr1',
        shippingAddressId: 'addr1',
      }),
    ).resolves.toBeUndefined();
    await expect(
      checkCustomerReference(vault, em, 'm1', 'cus1', { billingAddressId: 'addr2' }),
    ).rejects.toThrow('invalid customer.billing_address_id: customer cus1 has no address addr2');
    await expect(
      checkCustomerReference(vault, em, 'm2', 'cus1', { shippingAddressId: 'addr1' }),
    ).rejects.toThrow(/customer.id/);
    await expect(
      checkCustomerReference(vault, em, 'm1', 'cus1', { shippingAddressId: 'elsewhere' }),
    ).rejects.toThrow(/customer.shipping_address_id/);
  });

  it('accepts a payment method of the customer of the type given', async () => {
    await expect(
      checkCustomerReference(vault, em, 'm1', 'cus1', {
        paymentMethodType: 'ach',
        paymentMethodId: 'bank1',
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses a payment method of another type, naming customer.payment_method_id', async () => {
    await expect(
      checkCustomerReference(vault, em, 'm1', 'cus1', {
        paymentMethodType: 'card',
        paymentMethodId: 'bank1',
      }),
    ).rejects.toThrow(
      'invalid customer.payment_method_id: customer cus1 has no card payment method bank1',
    );
  });
});
