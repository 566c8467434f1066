import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { NotFoundError, ValidationError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import type { ResolvedAdjustment } from './adjustments';
import { CatalogAdjustment } from './catalog-adjustment.entity';
import { ADJUSTMENT_LABEL, AdjustmentKind, AdjustmentRef } from './adjustments';

/**
 * An add-on or discount as a request gives it, checked field by field by the route's schema
 * (catalog.routes.ts); null and absent both mean "not given".
 */
export interface CatalogAdjustmentInput {
  name?: string | null;
  description?: string | null;
  amount?: number | null;
  percentage?: number | null;
  duration?: number | null;
}

/** Amount or percentage, never both; undefined when neither is given. */
function priceOf(
  input: CatalogAdjustmentInput,
): { amount: number | null; percentage: number | null } | undefined {
  const amount = input.amount ?? null;
  const percentage = input.percentage ?? null;
  if (amount !== null && percentage !== null) {
    throw new ValidationError('amount', 'either amount or percentage may be given, not both');
  }
  if (amount !== null) return { amount, percentage: null };
  if (percentage !== null) return { amount: null, percentage };
  return undefined;
}

/** The merchant's catalog of add-ons and discounts. Both kinds share one table and one set of rules. */
@Injectable()
export class CatalogService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(
    merchantId: string,
    kind: AdjustmentKind,
    input: CatalogAdjustmentInput,
  ): Promise<CatalogAdjustment> {
    const price = priceOf(input);
    if (!price) throw new ValidationError('amount', 'either amount or percentage is required');
    const now = this.clock.now();
    const item = this.dataSource.getRepository(CatalogAdjustment).create({
      id: newId(),
      merchantId,
      kind,
      name: input.name ?? '',
      description: input.description ?? '',
      ...price,
      duration: input.duration ?? 0,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    return this.dataSource.getRepository(CatalogAdjustment).save(item);
  }

  async get(merchantId: string, kind: AdjustmentKind, id: string): Promise<CatalogAdjustment> {
    const item = await this.dataSource
      .getRepository(CatalogAdjustment)
      .findOneBy({ id, merchantId, kind, deletedAt: IsNull() });
    if (!item) throw new NotFoundError(ADJUSTMENT_LABEL[kind], id);
    return item;
  }

  async list(
    merchantId: string,
    kind: AdjustmentKind,
    paging: { limit: number | null; offset: number },
  ): Promise<{ items: CatalogAdjustment[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(CatalogAdjustment).findAndCount({
      where: { merchantId, kind, deletedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: paging.offset,
      take: paging.limit ?? undefined,
    });
    return { items, total };
  }

  /**
   * Changes only the fields given. Giving an amount clears the percentage and the other way
   * round, so an add-on can switch between a flat amount and a percentage.
   */
  async update(
    merchantId: string,
    kind: AdjustmentKind,
    id: string,
    input: CatalogAdjustmentInput,
  ): Promise<CatalogAdjustment> {
    const item = await this.get(merchantId, kind, id);
    const price = priceOf(input);
    if (input.name != null) item.name = input.name;
    if (input.description != null) item.description = input.description;
    if (price) Object.assign(item, price);
    if (input.duration != null) item.duration = input.duration;
    item.updatedAt = this.clock.now();
    return this.dataSource.getRepository(CatalogAdjustment).save(item);
  }

  /** Plans and subscriptions keep their copies; only new references to it are refused. */
  async remove(merchantId: string, kind: AdjustmentKind, id: string): Promise<void> {
    const item = await this.get(merchantId, kind, id);
    const now = this.clock.now();
    await this.dataSource
      .getRepository(CatalogAdjustment)
      .update({ id: item.id, merchantId }, { deletedAt: now, updatedAt: now });
  }

  /**
   * The add_ons[] or discounts[] of a plan or subscription request: each id must be a live
   * catalog item of the merchant; the entry's own name, description, amount or percentage and
   * duration override the catalog's.
   */
  async resolve(
    em: EntityManager,
    merchantId: string,
    kind: AdjustmentKind,
    refs: readonly AdjustmentRef[],
    field: string,
  ): Promise<ResolvedAdjustment[]> {
    if (refs.length === 0) return [];
    const found = await em.getRepository(CatalogAdjustment).findBy({
      merchantId,
      kind,
      id: In(refs.map((r) => r.id)),
      deletedAt: IsNull(),
    });
    return refs.map((ref, index) => {
      const item = found.find((f) => f.id === ref.id);
      if (!item) {
        throw new ValidationError(
          `${field}[${index}].id`,
          `${ADJUSTMENT_LABEL[kind]} ${ref.id} does not exist`,
        );
      }
      const price = ref.price ?? { amount: item.amount, percentage: item.percentage };
      return {
        sourceId: item.id,
        name: ref.name ?? item.name,
        description: ref.description ?? item.description,
        amount: price.amount,
        percentage: price.percentage,
        duration: ref.duration ?? item.duration,
      };
    });
  }
}
