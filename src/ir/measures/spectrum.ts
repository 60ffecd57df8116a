import type { Law } from '../../model/types.ts';
import type { MeasureKind } from './measure.ts';

/**
 * An empirical spectrum read from a file (model/spectrum-file.ts): E(v, f(v)) = sum_i w_i f(lambda_i) over its M
 * entries, with w_i = 1/M (`weights: uniform`, the empirical spectral law: E(v, 1) = 1), 1 (`modes`, a trace) or
 * the teacher's weight t_i of the file's second column (`teacher`, a teacher-weighted trace). The sum is exact:
 * a loop over two Float64Arrays, constants of the generated code. The data travel with the IR as one ArrayBuffer
 * (eigenvalues, then weights), which structured clone copies to worker threads and JSON prints as {}; the key is
 * the file's sha256 and the weighting.
 */
export interface SpectrumMeasure {
  readonly kind: 'spectrum';
  readonly sha256: string;
  readonly weights: 'uniform' | 'modes' | 'teacher';
  readonly count: number;
  /** 2 count doubles: the eigenvalues, then the weights. */
  readonly data: ArrayBuffer;
}

type SpectrumLaw = Extract<Law, { kind: 'spectrum' }>;

const rule = (m: SpectrumMeasure) => ({ nodes: new Float64Array(m.data, 0, m.count), weights: new Float64Array(m.data, 8 * m.count, m.count) });

export const SPECTRUM: MeasureKind<SpectrumMeasure> = {
  kind: 'spectrum',
  nodes: () => [],
  map: (m) => m,
  key: (m) => `${m.sha256}|${m.weights}|${m.count}`,
  points: (m) => m.count,
  copies: () => 1,
  nodeCounts: () => [],
  resize: (m) => m,
  simplify: (m, body) => (body.kind === 'num' && (body.value === 0 || m.weights === 'uniform') ? body : undefined),
  derive: (_e, c) => c.underIntegral,
  integrator: (m) => {
    const { nodes, weights } = rule(m);
    return (_scope, f) => {
      let acc = 0;
      for (let i = 0; i < nodes.length; i++) acc += weights[i] * f(nodes[i]);
      return acc;
    };
  },
  emit: (m, emit) => {
    const r = emit.constant(rule(m));
    // The data's identity, written into the source as a number (48 bits of its sha256): compiled models are told
    // apart by their source (simulate/run.ts keys the workers' compiled models by it), and the arrays are not in it.
    const id = emit.fresh('d');
    emit.perProblem(() => `const ${id} = ${parseInt(m.sha256.slice(0, 12), 16)};`);
    emit.loop(m.count, `${r}.nodes`, `${r}.weights`);
  },
  declared: {
    law: 'spectrum',
    measure: (law: SpectrumLaw) => {
      const n = law.data.eigenvalues.length;
      const buffer = new ArrayBuffer(16 * n);
      new Float64Array(buffer, 0, n).set(law.data.eigenvalues);
      const w = new Float64Array(buffer, 8 * n, n);
      if (law.weights === 'teacher' && law.data.teacher) w.set(law.data.teacher);
      else w.fill(law.weights === 'uniform' ? 1 / n : 1);
      return { kind: 'spectrum', sha256: law.data.sha256, weights: law.weights, count: n, data: buffer };
    },
    info: (law: SpectrumLaw) => ({ law: 'spectrum' as const, data: { file: law.file, sha256: law.data.sha256 } }),
    describe: () => 'empirical spectrum read from a file (an exact sum over its entries)',
    latex: (_v, s, _nodes, m) => {
      const sp = m?.kind === 'spectrum' ? m : undefined;
      const w = sp?.weights === 'teacher' ? 't_i\\,' : sp?.weights === 'uniform' ? `\\frac{1}{${sp.count}}` : '';
      return { tex: `\\mathbb{E}_{${s}}[f] = \\sum_{i=1}^{${sp?.count ?? 'M'}} ${w} f(\\lambda_i)`, note: `an empirical spectrum${sp ? ` of ${sp.count} entries (sha256 ${sp.sha256.slice(0, 12)})` : ''}` };
    },
  },
};
