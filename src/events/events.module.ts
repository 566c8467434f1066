import { Global, Module } from '@nestjs/common';
import { EventLog } from './event-log';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

/**
 * The event log (EventLog.record, called by the domains inside their transactions) and
 * GET /api/events. Global, so every domain can record without importing it.
 */
@Global()
@Module({
  controllers: [EventsController],
  providers: [EventLog, EventsService],
  exports: [EventLog, EventsService],
})
export class EventsModule {}
