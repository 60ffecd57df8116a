/** A one-line progress bar on a terminal; silent when stderr is not a TTY (pipes, CI, files). */
export class Progress {
  private done = 0;
  private failed = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(private readonly total: number, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY);
  }

  tick(label: string, ok: boolean): void {
    this.update(this.done + 1, label, ok);
  }

  /** Sets the count done (work counted elsewhere, e.g. a search's evaluations against its budget) and draws. */
  update(done: number, label: string, ok: boolean): void {
    this.done = done;
    if (!ok) this.failed++;
    if (!this.enabled) return;
    const width = 30;
    const filled = Math.min(width, Math.round((width * this.done) / this.total));
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const fails = this.failed ? `, ${this.failed} not converged` : '';
    this.stream.write(`\r[${bar}] ${this.done}/${this.total}${fails} ${label}`.padEnd(this.stream.columns ?? 80).slice(0, (this.stream.columns ?? 80) - 1));
    this.drawn = true;
    if (this.done === this.total) { this.stream.write('\n'); this.drawn = false; }
  }

  /** Ends the line when the work stopped before the total (a search that needed less than its budget). */
  end(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
