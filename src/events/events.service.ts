import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { NotFoundError } from '../platform/errors/errors';
import { EventRow } from './event.entity';
import type { EventFilter } from './event-filter';

/** Reads the event log for the API (recording is EventLog's job). */
@Injectable()
export class EventsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(merchantId: string, f: EventFilter): Promise<{ items: EventRow[]; total: number }> {
    const qb = this.dataSource
      .getRepository(EventRow)
      .createQueryBuilder('e')
      .where('e.merchant_id = :merchantId', { merchantId });
    if (f.types) qb.andWhere('e.type = ANY(:types)', { types: f.types });
    if (f.objectId !== undefined) qb.andWhere('e.object_id = :objectId', { objectId: f.objectId });
    if (f.since !== undefined) qb.andWhere('e.sequence > :since', { since: f.since });
    if (f.createdFrom) qb.andWhere('e.created_at >= :from', { from: f.createdFrom });
    if (f.createdTo) qb.andWhere('e.created_at <= :to', { to: f.createdTo });
    const [items, total] = await qb
      .orderBy('e.sequence', 'ASC')
      .skip(f.offset)
      .take(f.limit)
      .getManyAndCount();
    return { items, total };
  }

  async get(merchantId: string, id: string): Promise<EventRow> {
    const row = await this.dataSource.getRepository(EventRow).findOneBy({ merchantId, id });
    if (!row) throw new NotFoundError('event', id);
    return row;
  }

  // ---- for other modules (webhooks) ----------------------------------------------------

  /** Events by id (any merchant: the caller holds ids it stored itself). */
  async byIds(em: EntityManager, ids: readonly string[]): Promise<EventRow[]> {
    if (ids.length === 0) return [];
    return em.getRepository(EventRow).findBy({ id: In([...ids]) });
  }

  /**
   * A page of the merchant's events after `since`, oldest first, optionally of some types
   * only (null = all): what a replay resends.
   */
  async page(
    em: EntityManager,
    merchantId: string,
    since: number,
    types: readonly string[] | null,
    limit: number,
  ): Promise<EventRow[]> {
    const qb = em
      .getRepository(EventRow)
      .createQueryBuilder('e')
      .where('e.merchant_id = :merchantId AND e.sequence > :since', { merchantId, since });
    if (types !== null) qb.andWhere('e.type = ANY(:types)', { types: [...types] });
    return qb.orderBy('e.sequence', 'ASC').take(limit).getMany();
  }
}
