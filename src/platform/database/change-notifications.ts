/**
 * In-process caches of rows every request reads (API keys and their users, processors), kept
 * correct by PostgreSQL LISTEN/NOTIFY: triggers on the owning tables (migrations
 * 1700000170000 in src/accounts and 1700000170001 in src/processors) NOTIFY a channel on every
 * INSERT, UPDATE or DELETE, whichever code path or process made it, and every process's
 * listener clears its cache of that channel. The process that made the change also clears its
 * own cache synchronously (TypeORM writes are watched, and `changed` can be called), so the
 * next request it serves already sees the change.
 *
 * Bounds (docs/performance.md): other processes see a change as soon as the notification
 * arrives (milliseconds after the commit). While the listener is not connected, caches are
 * bypassed (every read goes to the database) and emptied, so a lost connection can never
 * serve a stale key; an entry never lives longer than CACHE_TTL_MS either way.
 */
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type {
  DataSource as DataSourceType,
  EntitySubscriberInterface,
  InsertEvent,
  QueryRunner,
  RemoveEvent,
  TransactionCommitEvent,
  UpdateEvent,
} from 'typeorm';
import { DataSource } from 'typeorm';

export type ChangeChannel = 'rebill_credentials' | 'rebill_processors';
const CHANNELS: readonly ChangeChannel[] = ['rebill_credentials', 'rebill_processors'];

/** The tables whose changes each channel announces (the triggers of the migrations). */
const CHANNEL_OF_TABLE: Record<string, ChangeChannel> = {
  api_keys: 'rebill_credentials',
  users: 'rebill_credentials',
  partner_keys: 'rebill_credentials',
  processors: 'rebill_processors',
};

/** The longest an entry lives, even when every notification arrives. */
export const CACHE_TTL_MS = 60_000;
const RECONNECT_MS = 1_000;

/** A map cleared on every change of its channel; reads bypass it while it is not reliable. */
export class InvalidatingCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private generation = 0;
  reliable = false;

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string): V | undefined {
    if (!this.reliable) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Call before reading the database; pass the ticket to `set` so a read that raced a change is not stored. */
  ticket(): number {
    return this.generation;
  }

  set(key: string, value: V, ticket: number): void {
    if (!this.reliable || ticket !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expiresAt: this.now() + CACHE_TTL_MS });
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

@Injectable()
export class ChangeNotifications implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ChangeNotifications');
  private readonly caches = new Map<ChangeChannel, InvalidatingCache<unknown>[]>();
  private client: Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  /** Channels changed inside a transaction that has not committed yet. */
  private readonly pending = new WeakMap<QueryRunner, Set<ChangeChannel>>();

  constructor(private readonly dataSource: DataSource) {
    this.watchWrites(dataSource);
  }

  /**
   * Writes through TypeORM in this process clear the caches synchronously: at once for a
   * write outside a transaction, at commit for one inside (raw SQL is covered by the NOTIFY).
   */
  private watchWrites(dataSource: DataSourceType): void {
    const touched = (event: { metadata?: { tableName: string }; queryRunner: QueryRunner }) => {
      const channel = event.metadata ? CHANNEL_OF_TABLE[event.metadata.tableName] : undefined;
      if (!channel) return;
      if (!event.queryRunner.isTransactionActive) return this.changed(channel);
      const set = this.pending.get(event.queryRunner) ?? new Set<ChangeChannel>();
      set.add(channel);
      this.pending.set(event.queryRunner, set);
    };
    const subscriber: EntitySubscriberInterface = {
      afterInsert: (event: InsertEvent<unknown>) => touched(event),
      afterUpdate: (event: UpdateEvent<unknown>) => touched(event),
      afterRemove: (event: RemoveEvent<unknown>) => touched(event),
      afterTransactionCommit: (event: TransactionCommitEvent) => {
        const set = this.pending.get(event.queryRunner);
        if (!set) return;
        this.pending.delete(event.queryRunner);
        for (const channel of set) this.changed(channel);
      },
      afterTransactionRollback: (event: TransactionCommitEvent) => {
        this.pending.delete(event.queryRunner);
      },
    };
    dataSource.subscribers.push(subscriber);
  }

  /** A cache cleared on every change of `channel`. */
  cache<V>(channel: ChangeChannel): InvalidatingCache<V> {
    const cache = new InvalidatingCache<V>();
    cache.reliable = this.client !== null;
    const list = this.caches.get(channel) ?? [];
    list.push(cache as InvalidatingCache<unknown>);
    this.caches.set(channel, list);
    return cache;
  }

  /** This process changed rows of `channel`'s tables: clear its caches now (the NOTIFY follows). */
  changed(channel: ChangeChannel): void {
    for (const cache of this.caches.get(channel) ?? []) cache.clear();
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.setReliable(false);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private setReliable(reliable: boolean): void {
    for (const list of this.caches.values()) {
      for (const cache of list) {
        cache.clear();
        cache.reliable = reliable;
      }
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) return; // no URL: caches stay bypassed
    const client = new Client({ connectionString: url });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      this.setReliable(false);
      if (!this.stopped) {
        this.logger.warn(
          `change notifications lost (${err?.message ?? 'closed'}); caches bypassed`,
        );
        this.reconnectTimer = setTimeout(() => void this.connect(), RECONNECT_MS);
        this.reconnectTimer.unref();
      }
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => this.changed(message.channel as ChangeChannel));
    try {
      await client.connect();
      for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.setReliable(true);
    } catch (err) {
      await client.end().catch(() => undefined);
      this.client = client;
      lost(err as Error);
    }
  }
}
