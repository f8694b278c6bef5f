import { useRegistryBroker } from './registry-fixture';
import { RegistryHttp } from './registry-http';

const CLIENTS = 8;
const SCHEMAS = 200;

/** Schema i: a record whose fields all have defaults, so any order of registration is compatible. */
function schema(i: number): string {
  return JSON.stringify({
    type: 'record',
    name: 'Item',
    namespace: 'com.example.concurrent',
    fields: [
      { name: 'key', type: 'string', default: '' },
      { name: `field_${i}`, type: 'string', default: '' },
    ],
  });
}

/** Each schema goes to two subjects, so ids are shared across subjects as well as clients. */
function subjectsOf(i: number): string[] {
  return [`conc-${i % 8}`, `shared-${i % 3}`];
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed * 2654435761 + 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * 8 concurrent clients each register the same 200 schemas (each under two subjects) in
 * their own order: every schema gets one id everywhere, distinct schemas distinct ids,
 * and every subject holds each of its schemas exactly once.
 */
describe('schema registry under concurrent registrations', () => {
  let sr: RegistryHttp;

  useRegistryBroker((env) => {
    ({ sr } = env);
  });

  it(`${CLIENTS} clients x ${SCHEMAS} overlapping schemas get consistent ids with no duplicates`, async () => {
    const indexes = Array.from({ length: SCHEMAS }, (_, i) => i);
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const seen = new Map<string, number>();
        for (const i of shuffled(indexes, c + 1)) {
          for (const subject of subjectsOf(i)) seen.set(`${i}@${subject}`, await sr.register(subject, schema(i)));
        }
        return seen;
      }),
    );

    const idOf = new Map<number, number>();
    for (const seen of results) {
      for (const [k, id] of seen) {
        const i = Number(k.split('@')[0]);
        if (!idOf.has(i)) idOf.set(i, id);
        expect({ schema: i, id }).toEqual({ schema: i, id: idOf.get(i) });
      }
    }
    expect(new Set(idOf.values()).size).toBe(SCHEMAS);

    for (const [i, id] of idOf) {
      expect((await sr.get<{ schema: string }>(`/schemas/ids/${id}`)).body.schema).toBe(schema(i));
    }
    const subjects = new Set(indexes.flatMap(subjectsOf));
    for (const subject of subjects) {
      const expected = indexes.filter((i) => subjectsOf(i).includes(subject)).map((i) => idOf.get(i));
      const versions = (await sr.get<number[]>(`/subjects/${subject}/versions`)).body;
      expect(versions).toEqual(Array.from({ length: expected.length }, (_, v) => v + 1));
      const ids = await Promise.all(versions.map(async (v) => (await sr.get<{ id: number }>(`/subjects/${subject}/versions/${v}`)).body.id));
      expect([...ids].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => (a as number) - (b as number)));
    }
  });
});
