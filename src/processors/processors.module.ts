import { Global, Module } from '@nestjs/common';
import { ProcessorsController } from './processors.controller';
import { ProcessorsService } from './processors.service';

@Global()
@Module({
  controllers: [ProcessorsController],
  providers: [ProcessorsService],
  exports: [ProcessorsService],
})
export class ProcessorsModule {}
