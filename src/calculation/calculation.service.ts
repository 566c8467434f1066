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
import { ProcessorsService, toProcessorSettings } from '../processors/processors.service';

/**
 * Customer and payment-method flags (surcharge_exempt) come from the vault; the gateway
 * module registers a provider for them. Without one, no flags apply.
 */
export interface SurchargeFlagsProvider {
  flagsFor(
    merchantId: string,
    customerId: string | undefined,
    paymentId: string | undefined,
  ): Promise<Pick<CalcContext, 'customerFlags' | 'paymentMethodFlags'>>;
}

/** The HTTP shell around the pure core: load the processor, call the core, return its answer. */
@Injectable()
export class CalculationService {
  private flagsProvider: SurchargeFlagsProvider | null = null;

  constructor(private readonly processors: ProcessorsService) {}

  useSurchargeFlagsProvider(provider: SurchargeFlagsProvider): void {
    this.flagsProvider = provider;
  }

  async calculateAmounts(merchantId: string, body: unknown): Promise<CalculateAmountsResponse> {
    const request = parseCalculateAmountsRequest(body);
    const processor = await this.processors.resolve(merchantId, request.processor_id ?? undefined);
    return calculateAmounts(request, toProcessorSettings(processor));
  }

  async lookupFees(merchantId: string, body: unknown): Promise<LookupFeesResponse> {
    const request = parseLookupFeesRequest(body);
    const raw = body as { processor_id?: unknown };
    const processor = await this.processors.resolve(
      merchantId,
      typeof raw.processor_id === 'string' ? raw.processor_id : undefined,
    );
    const flags = this.flagsProvider
      ? await this.flagsProvider.flagsFor(
          merchantId,
          request.customer_id ?? undefined,
          request.payment_id ?? undefined,
        )
      : {};
    return lookupFees(request, toProcessorSettings(processor), flags);
  }
}
