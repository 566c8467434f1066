import type { FieldCipher } from '../platform/crypto/field-cipher';
import type { Processor } from '../processors/processor.entity';

/**
 * A processor's gateway API key is stored sealed (AES-256-GCM), bound to its merchant.
 * The processors module seals it when the key is set; the gateway factory opens it.
 */
export function sealGatewayApiKey(cipher: FieldCipher, merchantId: string, apiKey: string): string {
  return cipher.encrypt(apiKey, context(merchantId));
}

export function openGatewayApiKey(cipher: FieldCipher, processor: Processor): string | null {
  if (processor.gatewayApiKeyEncrypted === null) return null;
  return cipher.decrypt(processor.gatewayApiKeyEncrypted, context(processor.merchantId));
}

function context(merchantId: string): string {
  return `processors.gateway_api_key:${merchantId}`;
}
