/**
 * The plan layer (src/pipeline/plan/): each kind of option is read and checked once, so every command refuses the
 * same mistake with the same message, and a simulation plan has one syntax, whichever command reads it.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/pipeline/load.ts';
import { resolveModel } from '../../src/pipeline/models.ts';
import { checkAxes, gridPoints, LINE_OR_GRID, sweepAxes } from '../../src/pipeline/plan/axes.ts';
import { initPlan } from '../../src/pipeline/plan/inits.ts';
import { simulationOptions, simulationPlan } from '../../src/pipeline/plan/simulation.ts';
import { keyFields, thresholdPlan, thresholdText } from '../../src/pipeline/plan/thresholds.ts';
import { runCli as run } from '../util/cli.ts';

const ridge = loadModel(resolveModel('ridge'));

/** The message of a refused command line, without the command's name. */
const refusal = async (...argv: string[]) => {
  const r = await run(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(2);
  return r.err.replace(/^saddle \w+: /, '');
};

describe('one reader per kind of option', () => {
  it('an unknown start: the same message from every command', async () => {
    const messages = await Promise.all([
      refusal('solve', 'ridge', '--init', 'informd'),
      refusal('sweep', 'ridge', '--param', 'alpha=1:2:3', '--init', 'informd'),
      refusal('check', 'ridge', '--init', 'informd'),
      refusal('verify', 'ridge', '--d', '50', '--init', 'informd'),
      refusal('report', 'ridge', '--out', 'never.html', '--init', 'informd'),
    ]);
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toMatch(/^model "ridge" has no initialisation `informd`\n    hint: its initialisations are: uninformed, informed/);
  });

  it('a swept parameter: the same checks for sweep, verify and report', async () => {
    for (const command of [['sweep'], ['verify', '--d', '50'], ['report', '--out', 'never.html']]) {
      const [name, ...rest] = command;
      expect(await refusal(name, 'ridge', ...rest, '--param', 'alpa=1:2:3')).toMatch(/has no parameter `alpa`\n    hint: did you mean `alpha`/);
      expect(await refusal(name, 'ridge', ...rest, '--param', 'alpha=-1:2:3')).toMatch(/parameter `alpha` = -1 is outside its declared range/);
    }
  });

  it('a threshold: the same fields and bounds on the command line and in report --threshold', async () => {
    const cli = await refusal('threshold', 'ridge', '--param', 'alpha=1:2', '--kind', 'level', '--observable', 'gen_eror', '--level', '1');
    const page = await refusal('report', 'ridge', '--out', 'never.html', '--threshold', 'level:alpha=1:2,observable=gen_eror,level=1');
    expect(cli).toMatch(/^--observable gen_eror: `gen_eror` is not an order parameter or observable of "ridge"\n    hint: did you mean `gen_error`/);
    expect(page).toBe(`--threshold level:alpha=1:2,observable=gen_eror,level=1: observable=gen_eror: ${cli.slice('--observable gen_eror: '.length)}`);
    const spec = thresholdPlan(ridge, { lambda: 0.01 }, thresholdText('algorithmic:alpha=1:2,init=informed,budget=50'), {}, keyFields('--threshold', 't'));
    expect(spec).toMatchObject({ kind: 'spinodal', param: 'alpha', lo: 1, hi: 2, init: 'informed', budget: 50, fixed: { lambda: 0.01 } });
    expect(() => thresholdPlan(ridge, {}, { kind: 'level', range: 'alpha=1:2' }, {})).toThrow(/a level threshold needs --level X/);
    expect(() => thresholdPlan(ridge, {}, { kind: 'spinodal', range: 'alpha=2:1' }, {})).toThrow(/--param alpha=2:1: need numbers LO < HI/);
  });

  it('axes: counted, distinct, not fixed, every value in range; the points of a grid in sweep order', () => {
    const axes = sweepAxes(ridge, { Delta: 1 }, ['alpha=1:2:2', 'lambda=0.1:0.2:2'], LINE_OR_GRID);
    expect(gridPoints({ Delta: 1 }, axes)).toEqual([
      { Delta: 1, alpha: 1, lambda: 0.1 }, { Delta: 1, alpha: 2, lambda: 0.1 }, { Delta: 1, alpha: 1, lambda: 0.2 }, { Delta: 1, alpha: 2, lambda: 0.2 }]);
    expect(() => sweepAxes(ridge, {}, [], LINE_OR_GRID)).toThrow(/give one --param/);
    expect(() => checkAxes(ridge, { alpha: 1 }, axes, '--x, --y')).toThrow(/`alpha` is both swept \(--x, --y\) and fixed/);
    expect(initPlan(ridge, 'all')).toEqual({ inits: ['uninformed', 'informed'] });
  });
});

describe('one syntax for a simulation plan', () => {
  it('--simulate d=D,trials=T,seed=S and --d D --trials T --seed S are one plan, with one set of bounds', () => {
    const a = simulationPlan(ridge, 'd=300,trials=5,seed=7');
    expect(a).toEqual(simulationOptions(ridge, { d: '300', trials: '5', seed: '7' }));
    expect(a).toMatchObject({ d: 300, trials: 5, seed: 7 });
    expect(simulationPlan(ridge, 'd=300')).toMatchObject({ trials: 8, seed: 1 });
    expect(() => simulationPlan(ridge, 'trials=3')).toThrow(/--simulate needs d=D/);
    expect(() => simulationPlan(ridge, 'd=100,seed=-1')).toThrow(/--simulate: seed=-1 is not a valid value/);
    expect(() => simulationOptions(ridge, { d: '100', seed: '-1' })).toThrow(/--seed -1 is not a valid value/);
    expect(() => simulationPlan(ridge, 'd=100,trails=3')).toThrow(/unknown key `trails`/);
  });

  it('saddle simulate and verify take it as --simulate too: the same numbers as with --d --trials --seed', async () => {
    const point = ['--set', 'alpha=2,lambda=0.1', '--workers', '1', '--json'];
    const byKeys = await run('simulate', 'ridge', ...point, '--simulate', 'd=60,trials=2,seed=3');
    const byOptions = await run('simulate', 'ridge', ...point, '--d', '60', '--trials', '2', '--seed', '3');
    expect(byKeys.code).toBe(0);
    const strip = (s: string) => JSON.stringify({ ...JSON.parse(s), runs: (JSON.parse(s) as { runs: { time?: number }[] }).runs.map(({ time: _t, ...r }) => r) });
    expect(strip(byKeys.out)).toBe(strip(byOptions.out));
    expect(await refusal('verify', 'ridge', '--simulate', 'd=60', '--d', '60')).toMatch(/give the simulation plan once/);
  }, 60_000);
});
