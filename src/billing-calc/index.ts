/**
 * Rebill's calculation core: pure functions from request data and settings to
 * amounts in integer cents. No framework, no database, no clock.
 * The rules and worked examples are in docs/calculation.md.
 */
export * from './errors';
export * from './money';
export * from './bin-table';
export * from './processor';
export * from './amounts-request';
export * from './fee-programs';
export * from './amounts';
export * from './fees';
export * from './recurring-amount';
export * from './invoice-totals';
export { priceLine } from './line-items';
export type { LinePricing, LinePricingInput } from './line-items';
export * from './renewal-amount';
export * from './proration';
