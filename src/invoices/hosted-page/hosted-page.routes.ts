/**
 * The hosted invoice pages (docs/invoices.md): HTML for the customer's browser, a receipt and
 * the PDF. No API key: the unguessable token in the path is the credential, and an unknown
 * token (or a cancelled invoice) is the same 404 page.
 */
import { Input, NoBody, route, Type } from '../../platform/http/route-schema';
import { HtmlPage, PdfDocument } from '../../platform/http/shared-schemas';

const TokenParams = Input({ token: Type.String({ maxLength: 100 }) });

export const HOSTED_PAGE_ROUTES = {
  page: route({
    summary: 'The hosted invoice page',
    description: 'The invoice with its payment form while it is open.',
    auth: 'none',
    produces: 'text/html',
    params: TokenParams,
    responses: { 200: HtmlPage, 404: HtmlPage },
  }),
  pay: route({
    summary: 'Pay on the hosted invoice page (form post)',
    description:
      'An application/x-www-form-urlencoded form. Approved: 303 to the receipt. Still ' +
      'processing: 202. Otherwise the page again with the problem: 400 (the form), 402 ' +
      '(declined) or 409 (paid meanwhile, or a payment in flight).',
    auth: 'none',
    produces: 'text/html',
    params: TokenParams,
    responses: {
      200: HtmlPage,
      202: HtmlPage,
      303: NoBody,
      400: HtmlPage,
      402: HtmlPage,
      404: HtmlPage,
      409: HtmlPage,
    },
    idempotent: true,
  }),
  receipt: route({
    summary: 'The receipt of an approved payment on the hosted invoice page',
    auth: 'none',
    produces: 'text/html',
    params: Input({
      token: Type.String({ maxLength: 100 }),
      paymentId: Type.String({ maxLength: 100 }),
    }),
    responses: { 200: HtmlPage, 404: HtmlPage },
  }),
  pdf: route({
    summary: 'The invoice as a PDF, from the hosted page',
    auth: 'none',
    produces: 'application/pdf',
    contentTypes: { 404: 'text/html' },
    params: TokenParams,
    responses: { 200: PdfDocument, 404: HtmlPage },
  }),
};
