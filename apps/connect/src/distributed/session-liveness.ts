/**
 * Whether a group member's session may still be alive, judged from its own side (the
 * coordinator cannot be asked while the member is cut off or was frozen).
 *
 * Contracts: live = in the group and either the last answered heartbeat (or completed
 * join) was SENT less than the session timeout ago — an answer proves the session up to
 * its request, a member frozen after sending learns nothing newer — or a join is
 * pending that started while that was so (the coordinator holds a pending join's
 * session). A member frozen past its session (a zombie) is not live, also while it
 * rejoins and when a join it sent before the freeze completes after it.
 */
export class SessionLiveness {
  private inGroup = false;
  private lastOk = 0;
  private joining = false;
  private joinStartedLive = false;

  constructor(
    private readonly sessionTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A heartbeat sent at `sentAt` was answered. */
  heartbeatAnswered(sentAt: number): void {
    this.lastOk = Math.max(this.lastOk, sentAt);
  }

  joinStarted(): void {
    this.joinStartedLive = this.recent();
    this.joining = true;
  }

  /** The join ended; `syncSentAt` when it completed: when its SyncGroup was sent. */
  joinEnded(syncSentAt?: number): void {
    this.joining = false;
    if (syncSentAt === undefined) return;
    this.inGroup = true;
    this.lastOk = Math.max(this.lastOk, syncSentAt);
  }

  /** The membership is known to be lost (expelled, or the session ran out). */
  lost(): void {
    this.inGroup = false;
  }

  get member(): boolean {
    return this.inGroup;
  }

  isLive(): boolean {
    return this.inGroup && (this.recent() || (this.joining && this.joinStartedLive));
  }

  /** Heartbeats answered recently enough (ignoring a pending join). */
  recent(): boolean {
    return this.now() - this.lastOk < this.sessionTimeoutMs;
  }
}
