/** The two functions a solver needs from a model at fixed parameters. Both write into `out`. */
export interface Kernels {
  /** One sequential sweep of the update equations: out = F(x). */
  update(x: Float64Array, out: Float64Array): void;
  /** Observables (then the free energy, if declared) at state x. */
  observables(x: Float64Array, out: Float64Array): void;
  /** The model's user functions at these parameters, compiled (GAMP calls a glm model's fa, fv, gout, dgout). */
  readonly functions?: Readonly<Record<string, (...args: number[]) => number>>;
  /** The first inner problem (root, argmin, prox) whose result failed its checks since the last call, if any;
   * each call forgets it. The solver asks after the sweep it reports. */
  innerFailure?(): InnerFailure | undefined;
}

/** An inner problem that failed: its site (an index into `Program.innerSites`, -1 if unknown) and the point it
 * returned (NaN when it found none). */
export interface InnerFailure {
  readonly site: number;
  readonly z: number;
}
