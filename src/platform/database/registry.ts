/**
 * The one list of entities and migrations. Each domain adds its own here, so the app,
 * the TypeORM CLI and the tests all build the same schema from the same migrations.
 */
import { Merchant } from '../../accounts/merchant.entity';
import { User } from '../../accounts/user.entity';
import { ApiKey } from '../../accounts/api-key.entity';
import { PartnerKey } from '../../accounts/partner-key.entity';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity';
import { Accounts1700000000000 } from '../../accounts/migrations/1700000000000-Accounts';
import { Processor } from '../../processors/processor.entity';
import { Processors1700000001000 } from '../../processors/migrations/1700000001000-Processors';

export const entities = [Merchant, User, ApiKey, PartnerKey, IdempotencyKey, Processor];

export const migrations = [Accounts1700000000000, Processors1700000001000];
