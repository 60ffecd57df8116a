import type { Loc } from '../../base/issues.ts';
import { distinctDataFiles } from '../data-files.ts';
import { declaredLaw } from '../measures/index.ts';
import type { Node, Program, UserFunction } from '../nodes.ts';
import type { BuildContext } from './context.ts';
import type { Update } from './sequence.ts';

/** What the steps of a build produce, to assemble into the Program. */
export interface Parts {
  readonly functions: readonly UserFunction[];
  readonly definitions: readonly { readonly name: string; readonly expr: Node }[];
  readonly updates: readonly Update[];
  readonly carried: ReadonlySet<number>;
  readonly observables: readonly { readonly name: string; readonly expr: Node; readonly loc: Loc }[];
}

/** The Program: the equations, and what its users need of the model besides them (never the raw Model). */
export function assemble(cx: BuildContext, parts: Parts): Program {
  const { model } = cx;
  const variables = model.variables.map((v) => ({
    name: v.name, ...(v.doc !== undefined && { doc: v.doc }),
    ...declaredLaw(v.law.kind).info(v.law),
  }));
  return {
    info: {
      name: model.name, file: model.file, sha256: model.sha256,
      data: distinctDataFiles(variables.flatMap((v) => (v.data ? [v.data] : []))), description: model.description,
      ...(model.conventions !== undefined && { conventions: model.conventions }), ...(model.source !== undefined && { source: model.source }),
      initNames: model.initNames, solver: model.solver, nodes: model.nodes, freeEnergy: model.freeEnergy !== undefined,
      variables,
    },
    params: model.params.map(({ loc: _l, ...p }) => p),
    state: model.orderParams.map(({ loc: _l, ...s }, i) => ({ ...s, carried: parts.carried.has(i) })),
    functions: parts.functions,
    updates: parts.updates,
    observables: parts.observables,
    expectationLocs: cx.expectationLocs,
    definitions: parts.definitions,
    definitionUses: cx.definitionUses,
    innerSites: cx.innerSites,
  };
}
