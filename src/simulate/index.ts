/**
 * Finite-size simulation of teacher-student models: seeded streams, instances drawn from the pieces of the library
 * (src/pieces), estimators solved to a certified
 * optimum, GAMP for the Bayes-optimal GLMs (gamp.ts), and the measurements a theory curve is compared with.
 * This file is the public surface.
 */
export * from './rng.ts';
export * from './data.ts';
export * from './measure.ts';
export * from './estimators/types.ts';
export { ridge, ridgeGradient } from './estimators/ridge.ts';
export { logistic, logisticLoss } from './estimators/logistic.ts';
export { huber, huberLoss } from './estimators/huber.ts';
export { hinge, hingeGap, hingeLoss, hingeObjective, type HingeFit, type HingeOptions } from './estimators/hinge.ts';
export { lasso, lassoGap, lassoObjective, type LassoOptions } from './estimators/lasso.ts';
export { newtonCG, smoothGradient, smoothObjective, type NewtonOptions, type SmoothLoss } from './estimators/newton.ts';
export { gamp, glmFunctions, type GampIterate, type GampOptions, type GampResult, type GampStatus, type GlmFunctions } from './gamp.ts';
export { ESTIMATORS, type EstimatorPiece, type FitFn, type GlmEstimator, type SpikedEstimator } from './estimators/library.ts';
export { checkSimulation, type GlmPlan, type Measurement as PlannedMeasurement, type PieceUse, type Simulation, type SpikedPlan } from './plan.ts';
export { closeWorkers, simulate, simulateParallel, simulationOf, type Simulatable, type SimulationRun } from './run.ts';
export { simulateTrajectory, type SimulatedTrajectory, type TrajectoryRunOptions } from './trajectory.ts';
