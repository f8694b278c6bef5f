/**
 * Whether a group member's session may still be alive, judged from its own side (the
 * coordinator cannot be asked while the member is cut off or was frozen).
 *
 * Contracts: live = in the group and either the last answered heartbeat (or completed
 * join) is younger than the session timeout, or a join is pending that started while
 * that was so (the coordinator holds a pending join's session). A member frozen past its
 * session (a zombie) is not live — also while it rejoins — until a join completes.
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

  /** A heartbeat was answered, or the coordinator answered a join with a retriable error (it knows the member). */
  heartbeatAnswered(): void {
    this.lastOk = this.now();
  }

  joinStarted(): void {
    this.joinStartedLive = this.recent();
    this.joining = true;
  }

  joinEnded(joined: boolean): void {
    this.joining = false;
    if (!joined) return;
    this.inGroup = true;
    this.lastOk = this.now();
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
