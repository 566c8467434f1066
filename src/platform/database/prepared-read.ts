/**
 * Reads for the hottest GET routes in one round trip, as a named prepared statement, without
 * TypeORM's query building (docs/performance.md): the SQL is written once, at first use, from
 * the entities' metadata, and its rows are hydrated into entities the way TypeORM hydrates
 * them (each column's type handling and transformer, `driver.prepareHydratedValue`). So a
 * column added to an entity is read here too, with no change to this file or its callers.
 *
 * Child rows (a subscription's adjustments and events) come back in the same row as JSON
 * arrays; `bigint` and `numeric` columns are sent as text inside them, as pg sends them,
 * so a value beyond 2^53 is refused by the column's transformer rather than rounded.
 *
 * For reads outside a transaction only: writes, and reads inside a transaction, stay on
 * TypeORM's entity manager.
 */
import type { Pool } from 'pg';
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Column types sent as text inside JSON, so that no digit is lost to a JSON number. */
const TEXT_IN_JSON = new Set(['bigint', 'int8', 'numeric', 'decimal', 'money']);

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** The columns a plain `find` selects: real ones, without `select: false`. */
function readColumns(metadata: EntityMetadata): ColumnMetadata[] {
  return metadata.columns.filter((c) => !c.isVirtual && c.isSelect);
}

function columnType(column: ColumnMetadata): string {
  return typeof column.type === 'string' ? column.type : '';
}

/** `"alias"."column"` for every column of an entity, in metadata order. */
export function selectList(metadata: EntityMetadata, alias: string): string {
  return readColumns(metadata)
    .map((c) => `${quote(alias)}.${quote(c.databaseName)}`)
    .join(', ');
}

/** A `json_build_object(...)` of one row of an entity, keyed by column names. */
export function jsonRow(metadata: EntityMetadata, alias: string): string {
  const columns = readColumns(metadata);
  if (columns.length > 50) {
    // json_build_object takes at most 100 arguments.
    throw new Error(`${metadata.tableName}: too many columns for jsonRow`);
  }
  const pairs = columns.map((c) => {
    const ref = `${quote(alias)}.${quote(c.databaseName)}`;
    const value = TEXT_IN_JSON.has(columnType(c)) ? `${ref}::text` : ref;
    return `'${c.databaseName.replace(/'/g, "''")}', ${value}`;
  });
  return `json_build_object(${pairs.join(', ')})`;
}

export class PreparedReads {
  constructor(private readonly dataSource: DataSource) {}

  metadata(entity: EntityTarget<ObjectLiteral>): EntityMetadata {
    return this.dataSource.getMetadata(entity);
  }

  /** The quoted column name of an entity's property, for a statement's WHERE. */
  column(metadata: EntityMetadata, property: string): string {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.tableName} has no column for ${property}`);
    return quote(column.databaseName);
  }

  table(metadata: EntityMetadata): string {
    return quote(metadata.tableName);
  }

  /** Runs a named prepared statement (parsed and planned once per connection). */
  async rows(name: string, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    // TypeORM's own pool (its driver's `master`): the same connections and their limit.
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const result = await pool.query({ name, text, values });
    return result.rows as Record<string, unknown>[];
  }

  /**
   * An entity from a row keyed by column names (`prefix` + database name), every column
   * through TypeORM's hydration for its type and its transformer.
   */
  hydrate<T extends ObjectLiteral>(
    metadata: EntityMetadata,
    raw: Record<string, unknown>,
    prefix = '',
  ): T {
    const entity = metadata.create(undefined, { fromDeserializer: true }) as T;
    const driver = this.dataSource.driver;
    for (const column of readColumns(metadata)) {
      const value = raw[prefix + column.databaseName];
      if (value === undefined) continue;
      column.setEntityValue(entity, driver.prepareHydratedValue(value, column));
    }
    return entity;
  }
}
