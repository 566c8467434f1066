import { timesQuantity } from '../billing-calc';

/** What a billing charges before add-ons and discounts: the base amount per unit × quantity. */
export function basePrice(sub: { amount: number; quantity: number }): number {
  return timesQuantity(sub.amount, sub.quantity);
}
