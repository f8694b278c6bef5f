import { jdbcSourcePlugin } from '@millrace/jdbc-source';
import { validateConnectorConfig } from '../plugins/connector-config-validator';
import { ConfigTransformer } from './config-transformer';
import { EnvConfigProvider } from './env-config-provider';
import { resolveForValidation, withPlaceholdersBack } from './resolved-validation';

describe('validation of a config with placeholders', () => {
  const transformer = new ConfigTransformer([new EnvConfigProvider({ ERP_URL: 'jdbc:postgresql://db:5432/erp', POLL: '250', BAD_POLL: 'soon' })]);
  const validate = (raw: Record<string, string>) => {
    const resolved = resolveForValidation(transformer, raw);
    return withPlaceholdersBack(validateConnectorConfig(jdbcSourcePlugin, resolved.config), raw, resolved);
  };
  const base = { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', name: 'erp', mode: 'bulk', 'topic.prefix': 'erp-' };
  const valueOf = (v: ReturnType<typeof validate>, key: string) => v.infos.configs.find((c) => c.value.name === key)?.value;

  test('resolved values are validated as the task will see them; the answer shows the placeholders', () => {
    const v = validate({ ...base, 'connection.url': '${env:ERP_URL}', 'poll.interval.ms': '${env:POLL}' });
    expect(v.messages).toEqual([]);
    expect(valueOf(v, 'connection.url')?.value).toBe('${env:ERP_URL}');
    expect(valueOf(v, 'poll.interval.ms')?.value).toBe('${env:POLL}');
  });

  test('a resolved value that is invalid fails its key; an unresolvable placeholder is validated as written (the task fails at start if it stays so)', () => {
    const v = validate({ ...base, 'connection.url': '${env:MISSING_URL}', 'poll.interval.ms': '${env:BAD_POLL}' });
    expect(v.messages.some((m) => m.includes('poll.interval.ms') && m.includes('soon'))).toBe(true);
    expect(valueOf(v, 'poll.interval.ms')?.value).toBe('${env:BAD_POLL}');
    const url = valueOf(v, 'connection.url');
    expect(url?.value).toBe('${env:MISSING_URL}');
    expect(url?.errors.join(' ')).toContain('${env:MISSING_URL}');
  });
});
