import { abs } from './channels/abs.ts';
import { linear } from './channels/linear.ts';
import { logit } from './channels/logit.ts';
import { outliers } from './channels/outliers.ts';
import { relu } from './channels/relu.ts';
import { rulesFacts } from './channels/rules-facts.ts';
import { sign } from './channels/sign.ts';
import { gaussBernoulli } from './priors/gauss-bernoulli.ts';
import { gaussian } from './priors/gaussian.ts';
import { rademacher } from './priors/rademacher.ts';
import { sparseRademacher } from './priors/sparse-rademacher.ts';
import type { ChannelPiece, PriorPiece } from './types.ts';

/**
 * The piece library: every prior and channel a model file can name, in its `glm:` or `lowrank:` section (the
 * pieces with theory forms) and in its `simulation:` section (the pieces with a sampler), looked up by name in a
 * Map (a name from a model file is never a property access). One piece, one law: a name means the same
 * distribution with the same arguments in every section.
 */
export const PRIORS: ReadonlyMap<string, PriorPiece> = new Map([gaussian, rademacher, gaussBernoulli, sparseRademacher].map((p) => [p.name, p]));

export const CHANNELS: ReadonlyMap<string, ChannelPiece> = new Map([linear, sign, abs, relu, outliers, rulesFacts, logit].map((c) => [c.name, c]));
