import { Controller, Get } from '@nestjs/common';
import { StorageHealthService, type StorageStatus } from '../admin/storage-health.service';

/**
 * Liveness: 200 once the broker has loaded its logs and listens for Kafka clients. The
 * body says `"status": "DEGRADED"` (still 200: the broker serves what it can) while a
 * partition is offline or a corrupt range is unresolved, with the details.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly storage: StorageHealthService) {}

  @Get()
  health(): Promise<StorageStatus> {
    return this.storage.status();
  }
}
