import type { ConfigDef } from '@millrace/connect-sdk';
import { maskConfig, restoreHiddenValues } from './config-masking';
import { LogScrubber } from './log-scrubber';
import { secretKeyPredicate } from './secret-keys';

describe('masking', () => {
  const def: ConfigDef = { keys: [{ name: 'db.pw', type: 'PASSWORD', importance: 'HIGH', documentation: '' }, { name: 'topic', type: 'STRING', importance: 'HIGH', documentation: '' }] };

  test('PASSWORD keys of the def and secret-looking names are secrets, others not', () => {
    const isSecret = secretKeyPredicate(def);
    for (const k of ['db.pw', 'connection.password', 'value.converter.basic.auth.user.info', 'aws.secret.key', 'api.token', 'sasl.jaas.config']) expect(isSecret(k)).toBe(true);
    for (const k of ['topic', 'connection.user', 'password.policy.enabled', 'tokens.max']) expect(isSecret(k)).toBe(false);
    expect(secretKeyPredicate(undefined)('db.pw')).toBe(false);
  });

  test('maskConfig hides secret values and keeps the rest', () => {
    expect(maskConfig({ 'db.pw': 'x', 'connection.password': 'y', topic: 't' }, secretKeyPredicate(def))).toEqual({ 'db.pw': '[hidden]', 'connection.password': '[hidden]', topic: 't' });
  });

  test('restoreHiddenValues takes the stored value for [hidden], the sent value otherwise', () => {
    const stored = { 'db.pw': 'old', topic: 't' };
    expect(restoreHiddenValues({ 'db.pw': '[hidden]', topic: 'u' }, stored)).toEqual({ 'db.pw': 'old', topic: 'u' });
    expect(restoreHiddenValues({ 'db.pw': 'new' }, stored)).toEqual({ 'db.pw': 'new' });
    expect(restoreHiddenValues({ 'other.pw': '[hidden]', gone: null }, stored)).toEqual({ 'other.pw': '[hidden]', gone: null });
    expect(restoreHiddenValues({ 'db.pw': '[hidden]' }, undefined)).toEqual({ 'db.pw': '[hidden]' });
  });

  test('LogScrubber hides registered values as written and JSON-escaped, ignores very short ones', () => {
    const s = new LogScrubber();
    s.add('pa"ss\\word');
    s.add('abc');
    s.add('true');
    const line = JSON.stringify({ msg: 'config pa"ss\\word abc' });
    expect(s.scrub(line)).toBe(JSON.stringify({ msg: 'config [hidden] abc' }));
    expect(s.scrub('raw pa"ss\\word')).toBe('raw [hidden]');
    expect(s.scrub('enabled true')).toBe('enabled true');
  });
});
