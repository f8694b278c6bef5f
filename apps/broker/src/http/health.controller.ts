import { Controller, Get } from '@nestjs/common';

/** Liveness: 200 once the broker has loaded its logs and listens for Kafka clients. */
@Controller('health')
export class HealthController {
  @Get()
  health(): { status: 'UP' } {
    return { status: 'UP' };
  }
}
