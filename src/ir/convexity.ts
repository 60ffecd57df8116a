import { walk, type Node } from './nodes.ts';

/**
 * How an expression curves in one variable, by the composition rules of disciplined convex programming (Grant,
 * Boyd and Ye 2006): constant, affine, convex, concave, or unknown (nothing proved). Sound, not complete: "convex"
 * is a proof (for every value of the other symbols), "unknown" only the absence of one; a conditional is unknown.
 * Used to give a prox or argmin of a provably convex objective the fast path (one bracketed Newton search) and
 * every other one the global search (numerics/roots.ts `innerMinimum`).
 */
export type Curvature = 'constant' | 'affine' | 'convex' | 'concave' | 'unknown';

const flip = (c: Curvature): Curvature => (c === 'convex' ? 'concave' : c === 'concave' ? 'convex' : c);

function add(a: Curvature, b: Curvature): Curvature {
  if (a === 'constant') return b;
  if (b === 'constant') return a;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  if (a === 'affine') return b;
  if (b === 'affine') return a;
  return a === b ? a : 'unknown';
}

/** Convex and nondecreasing built-ins f: f(convex) is convex. */
const CONVEX_INCREASING = new Set(['exp', 'log1pexp']);
/** Concave and nondecreasing: f(concave) is concave. */
const CONCAVE_INCREASING = new Set(['log', 'sqrt', 'logSigmoid', 'log1p']);

/** The curvature of `node` in the bound variable `z` (user functions already inlined). */
export function curvature(node: Node, z: string): Curvature {
  let reads = false;
  walk(node, (n) => { if (n.kind === 'bound' && n.name === z) reads = true; });
  if (!reads) return 'constant';
  switch (node.kind) {
    case 'bound': return 'affine';
    case 'op': {
      const [a, b] = node.args;
      switch (node.op) {
        case '+': return add(curvature(a, z), curvature(b, z));
        case '-': return add(curvature(a, z), flip(curvature(b, z)));
        case 'neg': return flip(curvature(a, z));
        case '*': case '/': {
          // a number times (or over) something of known curvature; an affine expression times any constant
          const [c, x] = node.op === '*' && curvature(a, z) === 'constant' ? [a, b] : [b, a];
          if (curvature(c, z) !== 'constant') return 'unknown';
          const cx = curvature(x, z);
          if (cx === 'affine') return 'affine';
          if (c.kind !== 'num' || c.value === 0 || !Number.isFinite(c.value)) return 'unknown';
          return c.value > 0 ? cx : flip(cx);
        }
        case '^': {
          // (affine)^p for an even integer p >= 2, or p = 1
          if (b.kind !== 'num' || curvature(a, z) !== 'affine') return 'unknown';
          if (b.value === 1) return 'affine';
          return Number.isInteger(b.value) && b.value >= 2 && b.value % 2 === 0 ? 'convex' : 'unknown';
        }
        default: return 'unknown';
      }
    }
    case 'call': {
      const args = node.args.map((a) => curvature(a, z));
      if (node.fn === 'abs') return args[0] === 'affine' ? 'convex' : 'unknown';
      if (node.fn === 'max') return args.every((c) => c !== 'unknown' && c !== 'concave') ? 'convex' : 'unknown';
      if (node.fn === 'min') return args.every((c) => c !== 'unknown' && c !== 'convex') ? 'concave' : 'unknown';
      if (args.length !== 1) return 'unknown';
      if (CONVEX_INCREASING.has(node.fn)) return args[0] === 'affine' || args[0] === 'convex' ? 'convex' : 'unknown';
      if (CONCAVE_INCREASING.has(node.fn)) return args[0] === 'affine' || args[0] === 'concave' ? 'concave' : 'unknown';
      // logH is concave and nonincreasing: logH(affine) concave
      if (node.fn === 'logH') return args[0] === 'affine' ? 'concave' : 'unknown';
      return 'unknown';
    }
    default: return 'unknown';
  }
}
