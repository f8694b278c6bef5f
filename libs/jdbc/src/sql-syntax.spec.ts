import { bindPlaceholder, quoteIdentifier, quoteQualifiedName } from './sql-syntax';

describe('sql syntax per driver', () => {
  it('quotes identifiers, doubling the quote character', () => {
    expect(quoteIdentifier('mysql', 'a`b')).toBe('`a``b`');
    expect(quoteIdentifier('postgres', 'We"ird')).toBe('"We""ird"');
    expect(quoteQualifiedName('mysql', ['db', 't.x'])).toBe('`db`.`t.x`');
    expect(quoteQualifiedName('postgres', ['public', 'Orders'])).toBe('"public"."Orders"');
  });

  it('spells bind placeholders', () => {
    expect(bindPlaceholder('mysql', 3)).toBe('?');
    expect(bindPlaceholder('postgres', 3)).toBe('$3');
  });
});
