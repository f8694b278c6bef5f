import { Controller, Get } from '@nestjs/common';
import { buildOpenApiDocument } from './openapi-document';

/** `GET /openapi.json`: the OpenAPI 3 document of this API. */
@Controller('openapi.json')
export class OpenApiController {
  private readonly document = buildOpenApiDocument();

  @Get()
  get(): Record<string, unknown> {
    return this.document;
  }
}
