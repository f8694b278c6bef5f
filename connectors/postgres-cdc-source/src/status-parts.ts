/**
 * The streaming task's status line made of named parts (an incremental snapshot's
 * progress, the slot's health), each replaced on its own, joined with " | " in the order
 * the parts were first set; no part left: null (the status is cleared).
 */
export class StatusParts {
  private readonly parts = new Map<string, string>();

  constructor(private readonly report: (message: string | null) => void) {}

  set(part: string, text: string | null): void {
    if (text === null) this.parts.delete(part);
    else this.parts.set(part, text);
    this.report(this.parts.size === 0 ? null : [...this.parts.values()].join(' | '));
  }
}
