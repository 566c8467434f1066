/**
 * Request and response shapes that several domains' routes share, declared once (the
 * field helpers themselves are in route-schema.ts). Domain shapes stay beside their routes.
 */
import { Input, Opt, Output, Type } from './route-schema';

/** The longest free text a request field takes (descriptions, names, address lines). */
export const TEXT_MAX = 2000;

/** The gateway API's address as transactions and invoices return it ("address_line_1" form). */
export const SPEC_ADDRESS_FIELDS = {
  first_name: Type.String(),
  last_name: Type.String(),
  company: Type.String(),
  address_line_1: Type.String({ example: '123 Some St' }),
  address_line_2: Type.String(),
  city: Type.String({ example: 'Some City' }),
  state: Type.String({ example: 'IL' }),
  postal_code: Type.String({ example: '60000' }),
  country: Type.String({ example: 'US' }),
  phone: Type.String(),
  fax: Type.String(),
  email: Type.String(),
};
export const SpecAddressView = Output(SPEC_ADDRESS_FIELDS);

/**
 * The body of a spec search route: one searchable field (a value, or
 * `{"operator": "=", "value": ...}`), with `limit` and `offset`.
 */
export function SearchBody<const F extends string>(field: F, description: string) {
  return Input({
    ...({ [field]: Opt(Type.Unknown({ description })) } as Record<
      F,
      ReturnType<typeof Opt<ReturnType<typeof Type.Unknown>>>
    >),
    limit: Opt(Type.Integer({ minimum: 0 })),
    offset: Opt(Type.Integer({ minimum: 0 })),
  });
}

/** A page for a browser (hosted invoice and checkout pages): no JSON envelope. */
export const HtmlPage = Type.String({ description: 'an HTML page' });

/** A PDF document. */
export const PdfDocument = Type.String({ format: 'binary', description: 'a PDF document' });
