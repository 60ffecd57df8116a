import { UsageError } from '../base/errors.ts';
import { interpret } from '../ir/interpret.ts';
import type { InnerSite, Program } from '../ir/nodes.ts';
import type { DataFile } from '../ir/data-files.ts';
import { didYouMean } from '../base/suggest.ts';
import type { SolverDefaults } from '../model/types.ts';
import { gaussHermite, type QuadratureRule } from '../numerics/gauss-hermite.ts';
import { specialScope } from '../ir/builtins.ts';
import { measureRuntime } from '../ir/measures/index.ts';
import { generate } from './generate.ts';
import { dict, own } from '../base/names.ts';
import type { Kernels } from '../ir/kernels.ts';

/** A model at fixed parameter values: what `solve` needs. */
export interface Problem {
  readonly model: string;
  readonly file: string;
  /** sha256 of the model file's text. */
  readonly sha256: string;
  /** The data files the model reads, with their sha256 (ModelInfo.data). Empty or absent: none. */
  readonly data?: readonly DataFile[];
  readonly paramNames: readonly string[];
  readonly params: Float64Array;
  readonly stateNames: readonly string[];
  readonly observableNames: readonly string[];
  /** Domain of each order parameter (declared min/max, else -Infinity/Infinity). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Indices of the order parameters read before their update (the ones damping and Anderson act on). */
  readonly carried: readonly number[];
  /** Start values per named initialisation; NaN where the first sweep assigns the value before reading it. */
  readonly inits: Readonly<Record<string, Float64Array>>;
  readonly defaults: SolverDefaults;
  readonly kernels: Kernels;
  /** The program it was compiled from (the solver refines its quadrature rules to estimate their error). */
  readonly program?: Program;
  /** Where each inner problem was written (`Kernels.innerFailure` reports a site by its index here). */
  readonly innerSites?: readonly InnerSite[];
}

/** A compiled model: the generated source, and a cheap way to make a Problem for any parameter values. */
export interface Compiled {
  readonly program: Program;
  readonly source: string;
  problem(values?: Readonly<Record<string, number>>): Problem;
}

type Fn = (...args: number[]) => number;
type Factory = (P: Float64Array, S: Record<string, unknown>, T: readonly QuadratureRule[], C: readonly unknown[]) => Omit<Kernels, 'functions'> & { functions: readonly Fn[] };

/** Generates the model's kernels once; `interpreted: true` swaps in the slow reference interpreter (tests). */
export function compile(program: Program, options: { interpreted?: boolean } = {}): Compiled {
  const { source, tables, constants } = generate(program);
  const factory = new Function('P', 'S', 'T', 'C', source) as Factory;
  const kernels = (params: Float64Array): Kernels => {
    const k = factory(params, S, T, constants);
    // user functions by name, for GAMP (fa, fv, gout, dgout); the generated code knows them by index only
    return { update: k.update, observables: k.observables, innerFailure: k.innerFailure, functions: dict(program.functions.map((f, i) => [f.name, k.functions[i]])) };
  };
  const S = { ...specialScope(), ...measureRuntime() };
  const T = tables.map((n) => gaussHermite(n));
  const paramNames = program.params.map((p) => p.name);
  const stateNames = program.state.map((s) => s.name);
  const inits: Record<string, Float64Array> = dict();
  for (const name of program.info.initNames) {
    inits[name] = Float64Array.from(program.state, (s) => s.init?.[name] ?? NaN);
  }
  const carried = program.state.flatMap((s, i) => (s.carried ? [i] : []));
  const lower = Float64Array.from(program.state, (s) => s.min ?? -Infinity);
  const upper = Float64Array.from(program.state, (s) => s.max ?? Infinity);
  return {
    program,
    source,
    problem(values = {}) {
      const params = paramValues(program, values);
      return {
        model: program.info.name,
        file: program.info.file,
        sha256: program.info.sha256,
        data: program.info.data ?? [],
        paramNames,
        params,
        stateNames,
        observableNames: program.observables.map((o) => o.name),
        lower,
        upper,
        carried,
        inits,
        defaults: program.info.solver,
        kernels: options.interpreted ? interpret(program, params) : kernels(params),
        program,
        ...(program.innerSites && { innerSites: program.innerSites }),
      };
    },
  };
}

/** Defaults overridden by `values`; an unknown name or a value outside the declared bounds is misuse. */
export function paramValues(program: Program, values: Readonly<Record<string, number>>): Float64Array {
  const names = program.params.map((p) => p.name);
  for (const [k, v] of Object.entries(values)) {
    const p = program.params.find((q) => q.name === k); // by name, never a property of `values`' prototype
    if (!p) {
      throw new UsageError(`model "${program.info.name}" has no parameter \`${k}\``,
        didYouMean(k, names) ?? `its parameters are: ${names.join(', ') || '(none)'}`);
    }
    if (!Number.isFinite(v)) throw new UsageError(`parameter \`${k}\` must be a finite number, got ${v}`);
    if ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) {
      throw new UsageError(`parameter \`${k}\` = ${v} is outside its declared range [${p.min ?? '-inf'}, ${p.max ?? 'inf'}]`,
        p.doc ? `${k}: ${p.doc}` : undefined);
    }
  }
  return Float64Array.from(program.params, (p) => own(values, p.name) ?? p.default);
}
