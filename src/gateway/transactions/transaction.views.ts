import { GatewayTransactionRow } from './transaction.entity';

/**
 * A transaction as the spec's Get Transaction By ID shows it, plus the fields Rebill adds
 * (amount_* totals, response_code, the CIT/MIT fields, idempotency_key). No full numbers:
 * `response.card` carries the first six and last four digits only.
 */
export function transactionView(t: GatewayTransactionRow) {
  return {
    id: t.id,
    user_id: t.userId ?? '',
    idempotency_key: t.idempotencyKey ?? '',
    type: t.type,
    amount: t.amount,
    base_amount: t.baseAmount,
    amount_authorized: t.amountAuthorized,
    amount_captured: t.amountCaptured,
    amount_settled: t.amountSettled,
    amount_refunded: t.amountRefunded,
    surcharge_amount: t.surchargeAmount,
    service_fee: t.serviceFee,
    tax_amount: t.taxAmount,
    tax_exempt: t.taxExempt,
    shipping_amount: t.shippingAmount,
    currency: t.currency.toLowerCase(),
    description: t.description,
    order_id: t.orderId,
    po_number: t.poNumber,
    ip_address: t.ipAddress,
    email_receipt: t.emailReceipt,
    email_address: t.emailAddress,
    payment_method: t.paymentMethod,
    payment_type: t.paymentType,
    processor_id: t.processorId,
    customer_id: t.customerId ?? '',
    customer_payment_method_id: t.customerPaymentMethodId ?? '',
    response_code: t.responseCode,
    response_text: t.responseText,
    response: { [responseKey(t)]: t.responseDetails },
    // Spec (Settlement Batches): a terminal transaction's BatchNum is read at
    // data.response_body.terminal.processor_specific.BatchNum.
    ...(t.paymentMethod === 'terminal' ? { response_body: { terminal: t.responseDetails } } : {}),
    terminal_id: t.terminalId ?? '',
    batch_number: t.batchNumber,
    settlement_batch_id: t.settlementBatchId ?? '',
    status: t.status,
    billing_address: t.billingAddress,
    shipping_address: t.shippingAddress,
    card_on_file_indicator: t.cardOnFileIndicator ?? '',
    initiated_by: t.initiatedBy ?? '',
    initial_transaction_id: t.initialTransactionId ?? '',
    stored_credential_indicator: t.storedCredentialIndicator ?? '',
    billing_method: t.billingMethod,
    referenced_transaction_id: t.referencedTransactionId ?? '',
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    captured_at: t.capturedAt?.toISOString() ?? null,
    settled_at: t.settledAt?.toISOString() ?? null,
    voided_at: t.voidedAt?.toISOString() ?? null,
  };
}

function responseKey(t: GatewayTransactionRow): string {
  return t.paymentMethod === 'terminal' ? 'terminal' : t.paymentType;
}

export type TransactionView = ReturnType<typeof transactionView>;
