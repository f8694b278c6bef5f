import { PageBuffer } from './page-buffer';

type Page = { rows: number[] };
const page = (...rows: number[]): Page => ({ rows });

/** Lets pending promise callbacks (and the reader's next step) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A reader that hands `pages` one by one to onPage, then throws `fail` if given. */
function reader(pages: Page[], fail?: Error): (onPage: (p: Page) => Promise<void>) => Promise<void> {
  return async (onPage) => {
    for (const p of pages) await onPage(p);
    if (fail) throw fail;
  };
}

describe('PageBuffer', () => {
  it('holds each page until the next arrives: the ones before are emitted in order, the last is returned still counted', async () => {
    const buffer = new PageBuffer(100);
    const emitted: Page[] = [];
    const last = await buffer.readAhead(reader([page(1, 2), page(3), page(4, 5, 6)]), new AbortController().signal, (p) => emitted.push(p));
    expect(emitted.map((p) => p.rows)).toEqual([[1, 2], [3]]);
    expect(last?.rows).toEqual([4, 5, 6]);
    expect(buffer.bufferedRows).toBe(6);
    buffer.release(3);
    expect(buffer.bufferedRows).toBe(3);
  });

  it('resolves to null for a read without pages', async () => {
    const buffer = new PageBuffer(10);
    const emit = jest.fn();
    await expect(buffer.readAhead(reader([]), new AbortController().signal, emit)).resolves.toBeNull();
    expect(emit).not.toHaveBeenCalled();
    expect(buffer.bufferedRows).toBe(0);
  });

  it('at the cap a reader hands out its held page, then waits until rows are released', async () => {
    const buffer = new PageBuffer(4);
    const emitted: Page[] = [];
    let done = false;
    const reading = buffer.readAhead(reader([page(1, 2), page(3, 4), page(5, 6), page(7)]), new AbortController().signal, (p) => emitted.push(p)).then((last) => {
      done = true;
      return last;
    });
    await settle();
    // pages 1 and 2 fill the cap; page 3's arrival emitted page 2, and the reader waits
    expect(emitted.map((p) => p.rows)).toEqual([[1, 2], [3, 4]]);
    expect(buffer.bufferedRows).toBe(4);
    expect(done).toBe(false);
    buffer.release(2);
    await settle();
    // page 3 held (4 rows again), page 4's arrival emitted it and waits once more
    expect(emitted.map((p) => p.rows)).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(done).toBe(false);
    buffer.release(4);
    expect((await reading)?.rows).toEqual([7]);
    // 4 - 2 released + 2 (page 3) - 4 released + 1 (page 4, returned)
    expect(buffer.bufferedRows).toBe(1);
  });

  it('a wake without space lets the reader check and wait again', async () => {
    const buffer = new PageBuffer(2);
    let done = false;
    void buffer.readAhead(reader([page(1, 2), page(3)]), new AbortController().signal, () => undefined).then(() => (done = true));
    await settle();
    buffer.wake();
    await settle();
    expect(done).toBe(false);
    buffer.release(2);
    await settle();
    expect(done).toBe(true);
  });

  it('a failed read gives back its held page and rethrows; emitted pages stay counted', async () => {
    const buffer = new PageBuffer(100);
    const emitted: Page[] = [];
    await expect(buffer.readAhead(reader([page(1, 2), page(3, 4, 5)], new Error('connection lost')), new AbortController().signal, (p) => emitted.push(p))).rejects.toThrow('connection lost');
    expect(emitted.map((p) => p.rows)).toEqual([[1, 2]]);
    expect(buffer.bufferedRows).toBe(2);
  });

  it('a reader aborted while waiting for space resolves to null and does not count the page it waited with', async () => {
    const buffer = new PageBuffer(3);
    const abort = new AbortController();
    const emitted: Page[] = [];
    const reading = buffer.readAhead(reader([page(1, 2), page(3, 4), page(5)]), abort.signal, (p) => emitted.push(p));
    await settle();
    // pages 1 and 2 emitted (4 rows, over the cap): page 3 waits
    expect(emitted.map((p) => p.rows)).toEqual([[1, 2], [3, 4]]);
    expect(buffer.bufferedRows).toBe(4);
    abort.abort();
    buffer.wake();
    await expect(reading).resolves.toBeNull();
    // the emitted rows stay the owner's to release; page 3 was never held
    expect(emitted).toHaveLength(2);
    expect(buffer.bufferedRows).toBe(4);
  });

  it('an abort after the last page gives back that held page', async () => {
    const buffer = new PageBuffer(100);
    const abort = new AbortController();
    const last = await buffer.readAhead(async (onPage) => {
      await onPage(page(1, 2, 3));
      abort.abort();
    }, abort.signal, () => undefined);
    expect(last).toBeNull();
    expect(buffer.bufferedRows).toBe(0);
  });

  it('refuses a cap that is not positive', () => {
    expect(() => new PageBuffer(0)).toThrow('maxRows must be positive');
  });
});
