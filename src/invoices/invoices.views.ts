import { effectiveStatus } from './invoice-status';
import { Invoice, InvoiceAddress } from './invoice.entity';

/** The spec writes times as "2019-02-13T22:52:26Z" and "never" as Go's zero time. */
export function specTime(date: Date | null): string {
  if (date === null) return '0001-01-01T00:00:00Z';
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function addressView(a: InvoiceAddress): InvoiceAddress {
  return { ...a };
}

/** GET /api/invoice/{id}: the spec's sample fields, plus every Create field echoed back. */
export function invoiceView(invoice: Invoice, now: Date, hostedUrl: string) {
  return {
    id: invoice.id,
    invoice_number: invoice.invoiceNumber ?? '',
    currency: invoice.currency,
    locale: invoice.locale ?? '',
    company_name: invoice.companyName,
    company_logo_url: invoice.companyLogoUrl,
    customer_number: invoice.customerNumber,
    customer_id: invoice.customerId,
    payable_to: addressView(invoice.payableTo),
    bill_to: addressView(invoice.billTo),
    created_at: specTime(invoice.createdAt),
    date_due: specTime(invoice.dateDue),
    items: invoice.items.map((i) => ({
      id: i.id,
      type: i.type,
      name: i.name,
      description: i.description,
      quantity: i.quantity,
      quantity_shipped: i.quantity_shipped,
      unit_of_measure: i.unit_of_measure,
      unit_price: i.unit_price,
      product_code: i.product_code,
      commodity_code: i.commodity_code,
      alternate_tax_identifier: i.alternate_tax_identifier,
      discount: i.computed.discount_amount,
      discount_type: '$',
      discount_amount: i.computed.discount_amount,
      freight_amount: i.computed.freight_amount,
      taxable: i.taxable,
      // The sample response writes the item's rates as strings in these three fields.
      local_tax: i.local_tax_rate === '' ? '0' : i.local_tax_rate,
      national_tax: i.national_tax_rate === '' ? '0' : i.national_tax_rate,
      tax_rate: i.tax_rate === '' ? '0' : i.tax_rate,
      local_tax_rate: i.local_tax_rate,
      national_tax_rate: i.national_tax_rate,
      local_tax_amount: i.computed.local_tax,
      national_tax_amount: i.computed.national_tax,
      tax_amount: i.computed.tax_amount,
      amount: i.computed.amount,
      status: i.status,
    })),
    advanced_fields: invoice.advancedFields,
    enable_tax: invoice.enableTax,
    enable_shipping: invoice.enableShipping,
    require_shipping_details: invoice.requireShippingDetails,
    require_billing_details_on_payment_only: invoice.requireBillingDetailsOnPaymentOnly,
    subtotal: invoice.subtotal,
    tax_percent: invoice.taxPercent === '' ? '0.000' : invoice.taxPercent,
    tax: invoice.tax,
    shipping: invoice.shipping,
    total: invoice.total,
    amount_paid: invoice.amountPaid,
    service_fees_paid: invoice.serviceFeesPaid,
    surcharge_paid: invoice.surchargePaid,
    discount_credited: invoice.discountCredited,
    adjustment: invoice.adjustment,
    amount_due: invoice.amountDue,
    allow_partial_payment: invoice.allowPartialPayment,
    transaction_type: invoice.transactionType,
    payment_methods: [...invoice.paymentMethods],
    card_processor_id: invoice.cardProcessorId,
    ach_processor_id: invoice.achProcessorId,
    status: effectiveStatus(invoice, now),
    message: invoice.message,
    reject_message: invoice.rejectMessage,
    send_via: invoice.sendVia,
    email_to: invoice.emailTo,
    subscription_id: invoice.subscriptionId ?? '',
    last_sent_at: specTime(invoice.lastSentAt),
    paid_at: invoice.paidAt === null ? '' : specTime(invoice.paidAt),
    updated_at: specTime(invoice.updatedAt),
    public_url: invoice.publicToken,
    hosted_url: hostedUrl,
  };
}

/** The invoice as a Create body, so an update can merge its changes in and validate the whole. */
export function invoiceAsRequest(invoice: Invoice): Record<string, unknown> {
  return {
    currency: invoice.currency,
    locale: invoice.locale ?? '',
    company_name: invoice.companyName,
    company_logo_url: invoice.companyLogoUrl,
    customer_number: invoice.customerNumber,
    customer_id: invoice.customerId,
    invoice_number: invoice.invoiceNumber ?? '',
    payable_to: { ...invoice.payableTo },
    bill_to: { ...invoice.billTo },
    date_due: invoice.dateDue.toISOString(),
    items: invoice.items.map((i) => {
      const { computed: _computed, ...rest } = i;
      return rest;
    }),
    advanced_fields: invoice.advancedFields,
    enable_tax: invoice.enableTax,
    enable_shipping: invoice.enableShipping,
    require_shipping_details: invoice.requireShippingDetails,
    require_billing_details_on_payment_only: invoice.requireBillingDetailsOnPaymentOnly,
    tax_percent: invoice.taxPercent === '' ? null : invoice.taxPercent,
    tax: invoice.taxInput,
    shipping: invoice.shippingInput,
    amount_paid: invoice.amountPaid,
    service_fees_paid: invoice.serviceFeesPaid,
    surcharge_paid: invoice.surchargePaid,
    discount_credited: invoice.discountCredited,
    adjustment: invoice.adjustment,
    allow_partial_payment: invoice.allowPartialPayment,
    transaction_type: invoice.transactionType,
    payment_methods: [...invoice.paymentMethods],
    card_processor_id: invoice.cardProcessorId,
    ach_processor_id: invoice.achProcessorId,
    message: invoice.message,
    send_via: invoice.sendVia,
    email_to: invoice.emailTo,
  };
}
