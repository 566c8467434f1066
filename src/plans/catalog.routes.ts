/** The routes of the add-on and discount catalog (spec: Recurring, Add-Ons and Discounts). */
import {
  IdParams,
  Input,
  PagingQuery,
  route,
  Success,
  SuccessList,
  Type,
} from '../platform/http/route-schema';
import { adjustmentFields, CatalogAdjustmentView } from './recurring.schemas';

const SAMPLE = {
  id: 'b89ffdqj8m0o735i19i0',
  name: 'test plan',
  description: 'just a simple test plan',
  amount: 100,
  percentage: null,
  duration: 0,
  created_at: '2017-11-20T15:41:43.330Z',
  updated_at: '2017-11-20T15:41:43.330Z',
};

function catalogRoutes(label: 'add-on' | 'discount') {
  return {
    create: route({
      summary: `Create ${label === 'add-on' ? 'an' : 'a'} ${label}`,
      description: 'Either amount or percentage, not both.',
      body: Input(adjustmentFields()),
      responses: { 200: Success(CatalogAdjustmentView) },
      idempotent: true,
      examples: {
        body: {
          name: 'test plan',
          description: 'just a simple test plan',
          amount: 100,
          duration: 0,
        },
        response: { status: 'success', msg: 'success', data: SAMPLE },
      },
    }),
    get: route({
      summary: `Get ${label === 'add-on' ? 'an' : 'a'} ${label} by id`,
      params: IdParams,
      responses: { 200: Success(CatalogAdjustmentView) },
      errors: [404],
      examples: { response: { status: 'success', msg: 'success', data: SAMPLE } },
    }),
    list: route({
      summary: `List the ${label}s`,
      query: PagingQuery(1000),
      responses: { 200: SuccessList(CatalogAdjustmentView) },
      examples: {
        response: { status: 'success', msg: 'success', data: [SAMPLE], total_count: 1 },
      },
    }),
    update: route({
      summary: `Update ${label === 'add-on' ? 'an' : 'a'} ${label}`,
      description:
        'Changes only the fields given; an amount clears the percentage and the other way round.',
      params: IdParams,
      body: Input(adjustmentFields()),
      responses: { 200: Success(CatalogAdjustmentView) },
      errors: [404],
      idempotent: true,
    }),
    remove: route({
      summary: `Delete ${label === 'add-on' ? 'an' : 'a'} ${label}`,
      description: 'Plans and subscriptions keep their copies; new references are refused.',
      params: IdParams,
      responses: { 200: Success(Type.Null()) },
      errors: [404],
      examples: { response: { status: 'success', msg: 'success', data: null } },
    }),
  };
}

export const ADD_ON_ROUTES = catalogRoutes('add-on');
export const DISCOUNT_ROUTES = catalogRoutes('discount');

/** Both kinds take the same requests. */
export type CatalogRoutes = typeof ADD_ON_ROUTES;
