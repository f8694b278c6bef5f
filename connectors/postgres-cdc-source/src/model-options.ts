import type { PostgresCdcConfig } from './postgres-cdc-config';
import { columnSelector, type ModelOptions, type TableName } from './table-catalog';

/** The model options of a captured table from the connector's config (column lists, temporal modes). */
export function modelOptions(config: PostgresCdcConfig, table: TableName): ModelOptions {
  return {
    columnFilter: columnSelector(config.columnInclude, config.columnExclude)(table),
    temporal: { timePrecisionMode: config.timePrecisionMode, intervalHandlingMode: config.intervalHandlingMode },
  };
}
