import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.ts';

const stream = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, s: { isTTY, columns: 80, write: (c: string) => chunks.push(c) } as unknown as NodeJS.WriteStream };
};

describe('progress bar', () => {
  it('draws on a terminal, counting failures, and ends the line when done', () => {
    const { chunks, s } = stream(true);
    const p = new Progress(2, s);
    p.tick('alpha=1', true);
    p.tick('alpha=2', false);
    expect(chunks[0]).toMatch(/^\r\[#+\.+\] 1\/2 alpha=1/);
    expect(chunks[1]).toMatch(/2\/2, 1 not converged alpha=2/);
    expect(chunks.at(-1)).toBe('\n');
  });

  it('is silent when the output is not a terminal', () => {
    const { chunks, s } = stream(false);
    const p = new Progress(1, s);
    p.tick('x', true);
    expect(chunks).toEqual([]);
  });
});
