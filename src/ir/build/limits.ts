/** Nesting depth of an expression (after definitions are inlined); 8x the deepest model of the zoo. Deeper
 * nests are refused with a located error instead of overflowing the stack of a later pass. A long sum or
 * product is not deep: its chain is split in halves. */
export const MAX_DEPTH = 200;
/** Nodes of one expression as a tree (definitions and user functions inlined, derivatives taken). */
export const MAX_SIZE = 200_000;
/** Nodes of all the expressions of a model together, a definition counted at each use: the bound on the work of
 * one build, whatever the number of expressions (the zoo's largest model reads about 2000). */
export const MAX_TOTAL = 500_000;
/** Evaluations of the innermost body of nested expectations per sweep (400^3 is 6.4e7; the zoo's most is the
 * generic glm path's 64^3 = 2.6e5): a file cannot ask for a sweep that takes hours. */
export const MAX_EVALUATIONS = 1e8;
/** A chain of + and - (or * and /) longer than this is summed as a balanced tree, so that its depth is log2 n. */
export const CHAIN = 32;
