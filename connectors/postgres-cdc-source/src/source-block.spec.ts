import { connectToAvroSchema } from '@millrace/connect-sdk';
import { sourceBlockSchema } from './source-block';

describe('source block schema', () => {
  it('is read from schemas/*.avsc: Debezium field names, optional txId/lsn, named io.debezium.connector.postgresql.Source', () => {
    const schema = sourceBlockSchema();
    expect(schema.type).toBe('struct');
    expect(schema.name).toBe('io.debezium.connector.postgresql.Source');
    expect(schema.fields?.map((f) => f.name)).toEqual(['version', 'connector', 'name', 'ts_ms', 'snapshot', 'db', 'sequence', 'schema', 'table', 'txId', 'lsn', 'xmin']);
    expect(schema.fields?.find((f) => f.name === 'lsn')?.schema).toMatchObject({ type: 'int64', optional: true });
    expect(schema.fields?.find((f) => f.name === 'table')?.schema).toMatchObject({ type: 'string', optional: false });
    // it maps back to Avro (what the converter registers)
    expect(JSON.stringify(connectToAvroSchema(schema))).toContain('"name":"Source"');
  });
});
