import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/base/issues.ts';
import { generate } from '../../src/compile/generate.ts';
import { boundedGeneration } from '../../src/compile/size-guard.ts';
import { loadModel } from '../../src/pipeline/load.ts';

// Code generation that grows without bound is refused with a located too-complex issue, never an internal error
// (issue 13: "RangeError: Invalid string length, in code generation").
describe('the bound on generated code', () => {
  const program = loadModel('test/fixtures/tukey-prox.yaml').program;
  const refused = (f: () => unknown) => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(ModelError); return (e as ModelError).issues; }
    throw new Error('not refused');
  };
  it('source beyond the limit: too-complex at the largest expression of the file', () => {
    expect(generate(program).source.length).toBeGreaterThan(1000);
    const [issue] = refused(() => generate(program, 1000));
    expect(issue.code).toBe('too-complex');
    expect(issue.file).toBe('test/fixtures/tukey-prox.yaml');
    // the observable dp (a prox and its implicit derivative) is the largest part
    expect(issue.message).toMatch(/beyond 1000\b.*the largest part is the observable `dp`/);
    expect(issue.line).toBe(20);
  });
  it('a string too long for the engine: the same issue instead of the RangeError', () => {
    const [issue] = refused(() => boundedGeneration(program, () => { throw new RangeError('Invalid string length'); }));
    expect(issue.code).toBe('too-complex');
    expect(issue.message).toContain('a string longer than the engine allows');
  });
  it('other errors pass through', () => {
    expect(() => boundedGeneration(program, () => { throw new TypeError('x'); })).toThrow(TypeError);
  });
});
