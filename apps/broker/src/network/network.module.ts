import { Module } from '@nestjs/common';
import { HandlersModule } from '../handlers/handlers.module';
import { KafkaListener } from './kafka-listener';

/** The Kafka listener (KafkaListener) over the API handlers' request dispatcher. */
@Module({
  imports: [HandlersModule],
  providers: [KafkaListener],
  exports: [KafkaListener],
})
export class NetworkModule {}

