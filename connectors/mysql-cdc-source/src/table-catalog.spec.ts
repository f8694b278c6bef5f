import { buildTableModel, selectColumns } from './table-catalog';
import type { MySqlColumn } from './column-types';

const col = (name: string, dataType: string): MySqlColumn => ({ name, dataType, columnType: dataType, optional: true, precision: null, scale: null, fsp: null });
const config = { topicPrefix: 'p', columnInclude: [], columnExclude: [], decimalHandlingMode: 'precise', timePrecisionMode: 'adaptive_time_microseconds' } as const;

describe('selectColumns', () => {
  it('reads a non-key FLOAT as a DOUBLE (its exact single-precision value), everything else as is', () => {
    const model = buildTableModel({ database: 'd', name: 't' }, [col('id', 'float'), col('f', 'float'), col('x', 'double'), col('v', 'varchar')], ['id'], config);
    expect(selectColumns(model)).toBe('`id`, (`f` + 0E0) AS `f`, `x`, `v`');
  });
});
