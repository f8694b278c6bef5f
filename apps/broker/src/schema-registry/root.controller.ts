import { Controller, Get, UseFilters } from '@nestjs/common';
import { RegistryErrorFilter } from './registry-error.filter';

/** `GET /`: Confluent's root resource answers an empty JSON object (clients use it as a ping). */
@Controller()
@UseFilters(RegistryErrorFilter)
export class RootController {
  @Get()
  root(): Record<string, never> {
    return {};
  }
}
