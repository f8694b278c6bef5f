import { intervalMicros, isoInterval, parseInterval, temporalCodec, type TemporalModes } from './pg-temporal-types';

const col = (typeOid: number, typeMod = -1) => ({ typeOid, typeMod, optional: true });
const modes = (timePrecisionMode: TemporalModes['timePrecisionMode'], intervalHandlingMode: TemporalModes['intervalHandlingMode'] = 'numeric'): TemporalModes => ({ timePrecisionMode, intervalHandlingMode });
const DATE = 1082;
const TIME = 1083;
const TIMESTAMP = 1114;
const INTERVAL = 1186;

describe('temporal types', () => {
  it('adaptive: Debezium io.debezium.time.* by the column precision', () => {
    const date = temporalCodec(col(DATE), modes('adaptive'));
    expect(date?.schema.name).toBe('io.debezium.time.Date');
    expect(date?.decode('2024-02-29')).toBe(19782);
    const ts3 = temporalCodec(col(TIMESTAMP, 3), modes('adaptive'));
    expect(ts3?.schema.name).toBe('io.debezium.time.Timestamp');
    expect(ts3?.decode('2024-02-29 13:04:05.123')).toBe(Date.UTC(2024, 1, 29, 13, 4, 5, 123));
    expect(temporalCodec(col(TIMESTAMP), modes('adaptive'))?.schema.name).toBe('io.debezium.time.MicroTimestamp');
    const t3 = temporalCodec(col(TIME, 3), modes('adaptive'));
    expect([t3?.schema.name, t3?.schema.type, t3?.decode('13:04:05.123')]).toEqual(['io.debezium.time.Time', 'int32', 47045123]);
    expect(temporalCodec(col(TIME, 3), modes('adaptive_time_microseconds'))?.decode('13:04:05.123')).toBe(47045123000);
  });

  it('connect: Kafka Connect Date/Time/Timestamp with JS Date values (ms)', () => {
    const date = temporalCodec(col(DATE), modes('connect'));
    expect(date?.schema.name).toBe('org.apache.kafka.connect.data.Date');
    expect(date?.decode('1969-12-31')).toEqual(new Date(Date.UTC(1969, 11, 31)));
    expect(temporalCodec(col(TIME), modes('connect'))?.decode('13:04:05.123456')).toEqual(new Date(47045123));
    const ts = temporalCodec(col(TIMESTAMP), modes('connect'));
    expect([ts?.schema.name, ts?.decode('2024-02-29 13:04:05.123456')]).toEqual(['org.apache.kafka.connect.data.Timestamp', new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 123))]);
  });

  it('intervals: MicroDuration (30.4375-day months) or ISO-8601 text', () => {
    expect(parseInterval('1 year 2 mons -3 days +04:05:06.789')).toEqual({ years: 1, months: 2, days: -3, micros: 14_706_789_000 });
    expect(parseInterval('-00:00:01.5')).toEqual({ years: 0, months: 0, days: 0, micros: -1_500_000 });
    expect(parseInterval('3 days')).toEqual({ years: 0, months: 0, days: 3, micros: 0 });
    expect(intervalMicros(parseInterval('1 mon'))).toBe(30.4375 * 86_400_000_000);
    expect(temporalCodec(col(INTERVAL), modes('adaptive'))?.decode('1 day 01:00:00')).toBe(90_000_000_000);
    expect(isoInterval(parseInterval('1 year 2 mons 3 days 04:05:06.789'))).toBe('P1Y2M3DT4H5M6.789S');
    expect(temporalCodec(col(INTERVAL), modes('adaptive', 'string'))?.schema.name).toBe('io.debezium.time.Interval');
    expect(() => parseInterval('soon')).toThrow('unsupported interval value "soon"');
  });
});
