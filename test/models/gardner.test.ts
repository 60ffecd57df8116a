import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { H, npdf } from '../../src/numerics/special.ts';
import { solve } from '../../src/solve/iterate.ts';

const compiled = loadModel('equations/gardner.yaml');

describe('gardner.yaml: storage capacity of the spherical perceptron', () => {
  it('alpha_c(0) = 2 (Gardner 1988)', () => {
    const s = solve(compiled.problem({ kappa: 0 }));
    expect(s.status).toBe('converged');
    expect(Math.abs(s.state.alpha_c - 2)).toBeLessThan(1e-12);
  });

  it('matches the closed form 1 / ((1 + kappa^2) H(-kappa) + kappa N(kappa)) over margins of both signs', () => {
    for (const kappa of [-3, -1, -0.25, 0.5, 1, 2, 4]) {
      const s = solve(compiled.problem({ kappa }));
      const closed = 1 / ((1 + kappa * kappa) * H(-kappa) + kappa * npdf(kappa));
      expect(Math.abs(s.state.alpha_c / closed - 1)).toBeLessThan(1e-12);
      expect(Math.abs(s.observables.on_margin - H(-kappa))).toBeLessThan(1e-13);
    }
  });
});
