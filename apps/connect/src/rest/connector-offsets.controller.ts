import { Body, Controller, Delete, Get, Param, Patch } from '@nestjs/common';
import { ConnectorOffsetsService, type ConnectorOffset } from '../offsets/connector-offsets.service';
import { alterOffsetsDto } from './connector-offsets.dto';
import { parseBody } from './request-body';

/**
 * A connector's offsets (KIP-875): `GET` `{"offsets": [{partition, offset}]}`; `PATCH`
 * and `DELETE` only while the connector is STOPPED (400 otherwise), 200 `{"message"}`.
 */
@Controller('connectors/:connector/offsets')
export class ConnectorOffsetsController {
  constructor(private readonly offsets: ConnectorOffsetsService) {}

  @Get()
  async get(@Param('connector') name: string): Promise<{ offsets: ConnectorOffset[] }> {
    return { offsets: await this.offsets.get(name) };
  }

  @Patch()
  async alter(@Param('connector') name: string, @Body() body: unknown): Promise<{ message: string }> {
    const dto = parseBody(alterOffsetsDto, body);
    return { message: await this.offsets.alter(name, dto.offsets) };
  }

  @Delete()
  async reset(@Param('connector') name: string): Promise<{ message: string }> {
    return { message: await this.offsets.reset(name) };
  }
}
