import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../../platform/auth/auth.decorators';
import { ValidationError } from '../../platform/errors/errors';
import { objectBody } from '../../platform/http/body';
import { Route } from '../../platform/http/route-schema';
import { VAULT_ROUTES } from './vault.routes';
import { list, ok } from '../../platform/http/envelope';
import { VaultService } from './vault.service';

type PaymentKind = 'card' | 'ach' | 'token' | 'applepay' | 'googlepay';

/** A stored wallet payment method is a card (its DPAN): update and delete it as one. */
function storedKind(kind: string): 'card' | 'ach' | 'token' {
  const k = paymentKind(kind);
  return k === 'applepay' || k === 'googlepay' ? 'card' : k;
}

function paymentKind(kind: string): PaymentKind {
  if (
    kind === 'card' ||
    kind === 'ach' ||
    kind === 'token' ||
    kind === 'applepay' ||
    kind === 'googlepay'
  )
    return kind;
  throw new ValidationError('payment method', 'must be card, ach, token, applepay or googlepay');
}

const SUCCESS = { status: 'success', msg: 'success' } as const;

/** Spec: Customer Vault. */
@ApiTags('customer vault')
@Controller('api/vault')
export class VaultController {
  constructor(private readonly vault: VaultService) {}

  @Post('customer')
  @HttpCode(200)
  @Route(VAULT_ROUTES.create)
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(await this.vault.createCustomer(auth.merchantId, objectBody(raw)));
  }

  @Post('customer/search')
  @HttpCode(200)
  @Route(VAULT_ROUTES.search)
  async search(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const found = await this.vault.searchCustomers(auth.merchantId, objectBody(raw));
    return list(found.data, found.total);
  }

  @Get(':id')
  @Route(VAULT_ROUTES.get)
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(await this.vault.getCustomer(auth.merchantId, id));
  }

  @Post('customer/:id')
  @HttpCode(200)
  @Route(VAULT_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(await this.vault.updateCustomer(auth.merchantId, id, objectBody(raw)));
  }

  @Delete(':id')
  @Route(VAULT_ROUTES.remove)
  async delete(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    await this.vault.deleteCustomer(auth.merchantId, id);
    return SUCCESS;
  }

  @Post('customer/:id/address')
  @HttpCode(200)
  @Route(VAULT_ROUTES.createAddress)
  async createAddress(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(await this.vault.createAddress(auth.merchantId, id, objectBody(raw)));
  }

  @Post('customer/:id/address/:addressId')
  @HttpCode(200)
  @Route(VAULT_ROUTES.updateAddress)
  async updateAddress(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Param('addressId') addressId: string,
    @Body() raw: unknown,
  ) {
    return ok(await this.vault.updateAddress(auth.merchantId, id, addressId, objectBody(raw)));
  }

  @Delete('customer/:id/address/:addressId')
  @Route(VAULT_ROUTES.deleteAddress)
  async deleteAddress(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Param('addressId') addressId: string,
  ) {
    await this.vault.deleteAddress(auth.merchantId, id, addressId);
    return SUCCESS;
  }

  @Post('customer/:id/:kind')
  @HttpCode(200)
  @Route(VAULT_ROUTES.createPaymentMethod)
  async createPaymentMethod(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Body() raw: unknown,
  ) {
    return ok(
      await this.vault.createPaymentMethod(auth.merchantId, id, paymentKind(kind), objectBody(raw)),
    );
  }

  @Post('customer/:id/:kind/:paymentMethodId')
  @HttpCode(200)
  @Route(VAULT_ROUTES.updatePaymentMethod)
  async updatePaymentMethod(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Param('paymentMethodId') paymentMethodId: string,
    @Body() raw: unknown,
  ) {
    return ok(
      await this.vault.updatePaymentMethod(
        auth.merchantId,
        id,
        storedKind(kind),
        paymentMethodId,
        objectBody(raw),
      ),
    );
  }

  @Delete('customer/:id/:kind/:paymentMethodId')
  @Route(VAULT_ROUTES.deletePaymentMethod)
  async deletePaymentMethod(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Param('paymentMethodId') paymentMethodId: string,
  ) {
    await this.vault.deletePaymentMethod(auth.merchantId, id, storedKind(kind), paymentMethodId);
    return SUCCESS;
  }
}
