import { Injectable } from '@nestjs/common';
import {
  calculateAmounts,
  CalcContext,
  CalculateAmountsResponse,
  lookupFees,
  LookupFeesResponse,
  parseCalculateAmountsRequest,
  parseLookupFeesRequest,
} from '../billing-calc';
import { VaultService } from '../gateway/vault/vault.service';
import { ValidationError } from '../platform/errors/errors';
import { ProcessorsService } from '../processors/processors.service';

/** The HTTP shell around the pure core: load the processor, call the core, return its answer. */
@Injectable()
export class CalculationService {
  constructor(
    private readonly processors: ProcessorsService,
    private readonly vault: VaultService,
  ) {}

  async calculateAmounts(merchantId: string, body: unknown): Promise<CalculateAmountsResponse> {
    const request = parseCalculateAmountsRequest(body);
    const settings = await this.processors.settingsFor(merchantId, request.processor_id);
    return calculateAmounts(request, settings);
  }

  async lookupFees(merchantId: string, body: unknown): Promise<LookupFeesResponse> {
    const request = parseLookupFeesRequest(body);
    const raw = body as { processor_id?: unknown };
    const settings = await this.processors.settingsFor(
      merchantId,
      typeof raw.processor_id === 'string' ? raw.processor_id : undefined,
    );
    const flags = await this.surchargeFlags(merchantId, request.customer_id, request.payment_id);
    return lookupFees(request, settings, flags);
  }

  /** The vaulted customer's and payment method's `surcharge_exempt` flags; unknown ids are a 400. */
  private async surchargeFlags(
    merchantId: string,
    customerId: string | null,
    paymentId: string | null,
  ): Promise<Pick<CalcContext, 'customerFlags' | 'paymentMethodFlags'>> {
    if (!customerId) {
      if (paymentId) throw new ValidationError('payment_id', 'needs customer_id');
      return {};
    }
    const customer = await this.vault.findCustomer(merchantId, customerId);
    if (!customer) throw new ValidationError('customer_id', 'is not a customer in the vault');
    const method = paymentId
      ? await this.vault.findPaymentMethod(merchantId, customerId, paymentId)
      : null;
    if (paymentId && !method) {
      throw new ValidationError('payment_id', `is not a payment method of customer ${customerId}`);
    }
    return {
      customerFlags: { surcharge_exempt: customer.flags.includes('surcharge_exempt') },
      paymentMethodFlags: { surcharge_exempt: method?.flags.includes('surcharge_exempt') ?? false },
    };
  }
}
