import { constantDefaultText, withDefault } from './column-defaults';
import { columnCodec } from './pg-column-types';

describe('column defaults', () => {
  it('reads constant defaults from the catalog expression and nothing else', () => {
    expect(constantDefaultText(`'new'::text`)).toBe('new');
    expect(constantDefaultText(`'it''s'::character varying`)).toBe("it's");
    expect(constantDefaultText(`'a'::character varying(10)`)).toBe('a');
    expect(constantDefaultText('42')).toBe('42');
    expect(constantDefaultText('(-1)')).toBe('-1');
    expect(constantDefaultText(`'42'::bigint`)).toBe('42');
    expect(constantDefaultText('1.5')).toBe('1.5');
    expect(constantDefaultText('true')).toBe('true');
    expect(constantDefaultText('now()')).toBeNull();
    expect(constantDefaultText(`nextval('t_id_seq'::regclass)`)).toBeNull();
    expect(constantDefaultText(`('a'::text || 'b'::text)`)).toBeNull();
    expect(constantDefaultText(null)).toBeNull();
  });

  it('sets the default on plain primitive schemas only', () => {
    const text = withDefault(columnCodec({ name: 's', typeOid: 25, typeMod: -1, optional: false }, 'precise'), `'new'::text`);
    expect(text.schema).toEqual({ type: 'string', optional: false, defaultValue: 'new' });
    expect(withDefault(columnCodec({ name: 'n', typeOid: 20, typeMod: -1, optional: true }, 'precise'), '(-7)').schema.defaultValue).toBe(-7);
    expect(withDefault(columnCodec({ name: 'b', typeOid: 16, typeMod: -1, optional: true }, 'precise'), 'false').schema.defaultValue).toBe(false);
    // logical types never take one
    expect(withDefault(columnCodec({ name: 'd', typeOid: 1082, typeMod: -1, optional: true }, 'precise'), `'2024-01-01'::date`).schema.defaultValue).toBeUndefined();
    expect(withDefault(columnCodec({ name: 'x', typeOid: 20, typeMod: -1, optional: true }, 'precise'), 'now()').schema.defaultValue).toBeUndefined();
  });
});
