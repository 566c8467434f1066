/**
 * The hosted checkout page (docs/payments-api.md, "Hosted checkout"), in the house style of
 * the hosted invoice page: works on a phone, no script, no third-party resource, and forms
 * that post card data only to Rebill. Pure: views in, HTML out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { moneyFormat } from '../../platform/money/currency';
import type { FeeNotice } from '../../invoices/hosted-page/payment-fees';
import { templatesDirectory } from '../../invoices/templates';
import { ValidationError } from '../../platform/errors/errors';
import {
  parseAccountNumber,
  parseCardNumber,
  parseCvc,
  parseExpirationDate,
  parseRoutingNumber,
  cardTypeOf,
} from '../../gateway/payment-details/payment-details';
import type { NewPaymentMethod } from '../../gateway/vault/payment-methods.port';
import type { CheckoutSession } from '../payment.entities';

const hbs = Handlebars.create();
// The invoice pages' head (meta tags and styles), so both pages look and behave alike.
hbs.registerPartial(
  'page-head',
  readFileSync(path.join(templatesDirectory(), 'partials', 'page-head.hbs'), 'utf8'),
);

const PAGE = hbs.compile(`<!doctype html>
<html lang="en">
<head>
{{> page-head title=title}}
</head>
<body>
<main>
  <section class="card">
    <header class="brand"><h1>{{merchantName}}</h1></header>
    <p class="muted">Checkout for {{email}}</p>
    <table class="totals" id="totals">
      <tr><td>Subtotal</td><td class="num" id="subtotal">{{subtotal}}</td></tr>
      {{#if discount}}<tr><td>Discount</td><td class="num" id="discount">−{{discount}}</td></tr>{{/if}}
      <tr class="due"><td>Total</td><td class="num" id="total">{{total}}</td></tr>
    </table>
    {{#if subscription}}<p class="notice" id="subscription-notice">This payment starts your subscription. Later payments are charged to the same card or account automatically, as the plan says, until you cancel.</p>{{/if}}
  </section>
  <section class="card" aria-label="Payment">
    {{#if error}}<div class="alert" role="alert" id="payment-error">{{error}}</div>{{/if}}
    {{#if message}}<div class="notice" role="status" id="checkout-status">{{message}}</div>{{/if}}
    {{#if payable}}
      {{#if fees.show}}
        <div class="notice" id="fee-notice">
          {{#each fees.lines}}<p>{{this}}</p>{{/each}}
          {{#if fees.disclosure}}<p class="disclosure"><small>{{fees.disclosure}}</small></p>{{/if}}
        </div>
      {{/if}}
      {{#if card}}
      <form method="post" action="/checkout/{{token}}/pay" id="card-form" autocomplete="on">
        <input type="hidden" name="method" value="card">
        <fieldset>
          <legend>Card</legend>
          <label>Name on card<input name="name" autocomplete="cc-name" required maxlength="100"></label>
          <label>Card number<input name="card_number" inputmode="numeric" autocomplete="cc-number" required maxlength="23"></label>
          <div class="row">
            <label>Expiration (MM/YY)<input name="expiration" autocomplete="cc-exp" placeholder="MM/YY" required maxlength="7"></label>
            <label>CVC<input name="cvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4"></label>
          </div>
          {{#if subscription}}
          <label>Billing address<input name="address_line1" autocomplete="address-line1" required maxlength="100"></label>
          <div class="row">
            <label>City<input name="city" autocomplete="address-level2" required maxlength="50"></label>
            <label>State<input name="state" autocomplete="address-level1" required maxlength="20"></label>
          </div>
          <label>Country (2 letters)<input name="country" autocomplete="country" required maxlength="2" value="US"></label>
          {{/if}}
          <label>Billing postal code<input name="postal_code" autocomplete="postal-code" maxlength="16"{{#if subscription}} required{{/if}}></label>
        </fieldset>
        <button type="submit" id="pay-card">Pay {{cardTotal}}</button>
      </form>
      {{/if}}
      {{#if bank}}
      <form method="post" action="/checkout/{{token}}/pay" id="bank-form" autocomplete="on">
        <input type="hidden" name="method" value="bank">
        <fieldset>
          <legend>Bank account (ACH)</legend>
          <label>Account holder name<input name="name" autocomplete="name" required maxlength="100"></label>
          <label>Routing number<input name="routing_number" inputmode="numeric" required maxlength="9"></label>
          <label>Account number<input name="account_number" inputmode="numeric" required maxlength="17"></label>
          <label>Account type
            <select name="account_type"><option value="checking">Checking</option><option value="savings">Savings</option></select>
          </label>
        </fieldset>
        <button type="submit" id="pay-bank">Pay {{bankTotal}}</button>
      </form>
      {{/if}}
    {{/if}}
    {{#if cancelUrl}}<p><a href="{{cancelUrl}}" id="cancel">Cancel and return to {{merchantName}}</a></p>{{/if}}
    {{#if successUrl}}<p><a href="{{successUrl}}" id="continue">Continue to {{merchantName}}</a></p>{{/if}}
  </section>
  <footer>Payments are processed securely by {{merchantName}} through Rebill.</footer>
</main>
</body>
</html>
`);

export interface RenderedCheckout {
  status: number;
  html: string;
}

export function checkoutPage(input: {
  session: CheckoutSession;
  merchantName: string;
  fees: FeeNotice | null;
  status?: number;
  error?: string;
  message?: string;
}): RenderedCheckout {
  const { session } = input;
  const money = (cents: number) => moneyFormat('USD').money(cents);
  const payable = session.status === 'open' && input.message === undefined;
  const html = PAGE({
    title: `Checkout · ${input.merchantName}`,
    merchantName: input.merchantName,
    email: session.customerEmail,
    token: session.publicToken,
    subtotal: money(session.subtotal),
    discount: session.discountAmount > 0 ? money(session.discountAmount) : '',
    total: money(session.subtotal - session.discountAmount),
    subscription: session.subscription !== null,
    error: input.error ?? '',
    message: input.message ?? '',
    payable,
    fees: input.fees ?? { show: false, lines: [], disclosure: '' },
    card: payable && session.paymentMethodTypes.includes('card'),
    bank: payable && session.paymentMethodTypes.includes('bank'),
    cardTotal: input.fees?.cardTotal ?? money(session.subtotal - session.discountAmount),
    bankTotal: input.fees?.achTotal ?? money(session.subtotal - session.discountAmount),
    cancelUrl: session.status === 'open' ? session.cancelUrl : '',
    successUrl: session.status === 'complete' ? successUrlOf(session) : '',
  });
  return { status: input.status ?? 200, html };
}

export function notFoundPage(): RenderedCheckout {
  return {
    status: 404,
    html: '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title></head><body><main><h1>This checkout does not exist.</h1></main></body></html>',
  };
}

/** `success_url`, with `{CHECKOUT_SESSION_ID}` replaced by the session's id. */
export function successUrlOf(session: CheckoutSession): string {
  return session.successUrl.replace(
    /%7BCHECKOUT_SESSION_ID%7D|\{CHECKOUT_SESSION_ID\}/g,
    session.id,
  );
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * As the invoice page's, plus the merchant's success and cancel origins in `form-action`:
 * a paid form is answered with a redirect there, and browsers hold redirects after a form
 * post to `form-action`.
 */
export function checkoutContentSecurityPolicy(session: CheckoutSession | null): string {
  const origins = session
    ? [...new Set([originOf(session.successUrl), originOf(session.cancelUrl)])].filter(
        (o): o is string => o !== null,
      )
    : [];
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    'img-src data:',
    `form-action 'self'${origins.map((o) => ` ${o}`).join('')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface CheckoutForm {
  method: NewPaymentMethod;
  name: string;
  postalCode: string;
  cvc: string | null;
  /** Asked on a subscription checkout: the subscription's invoices are billed to it. */
  address: { line1: string; city: string; state: string; country: string } | null;
}

/** The posted form (application/x-www-form-urlencoded). Errors name the field for the page. */
export function parseCheckoutForm(
  form: Record<string, string>,
  now: Date,
  needsAddress: boolean,
): CheckoutForm {
  const name = (form.name ?? '').trim().slice(0, 100);
  if (name === '') throw new ValidationError('name', 'is required');
  let address: CheckoutForm['address'] = null;
  if (needsAddress) {
    const field = (key: string, label: string, max: number) => {
      const value = (form[key] ?? '').trim().slice(0, max);
      if (value === '') throw new ValidationError(label, 'is required');
      return value;
    };
    address = {
      line1: field('address_line1', 'billing address', 100),
      city: field('city', 'city', 50),
      state: field('state', 'state', 20),
      country: field('country', 'country', 2).toUpperCase(),
    };
    if (!/^[A-Z]{2}$/.test(address.country)) {
      throw new ValidationError('country', 'must be a 2-letter country code ("US")');
    }
    field('postal_code', 'billing postal code', 16);
  }
  if (form.method === 'bank') {
    return {
      method: {
        kind: 'ach',
        ach: {
          routingNumber: parseRoutingNumber(form.routing_number, 'routing number'),
          accountNumber: parseAccountNumber(form.account_number, 'account number'),
          accountType: form.account_type === 'savings' ? 'savings' : 'checking',
          secCode: 'web',
        },
      },
      name,
      postalCode: '',
      cvc: null,
      address,
    };
  }
  if (form.method !== 'card') throw new ValidationError('method', 'must be card or bank');
  const number = parseCardNumber((form.card_number ?? '').replace(/[\s-]/g, ''), 'card number');
  const expiration = parseExpirationDate(form.expiration, 'expiration', now);
  const cvc = parseCvc(form.cvc, 'CVC');
  const postalCode = (form.postal_code ?? '').trim().slice(0, 16);
  return {
    method: {
      kind: 'card',
      card: {
        number,
        expirationMonth: expiration.month,
        expirationYear: expiration.year,
        cardType: cardTypeOf(number),
      },
    },
    name,
    postalCode,
    cvc,
    address,
  };
}
