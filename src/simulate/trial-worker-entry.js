// Worker entry for tinypool: plain JavaScript, so that it can register tsx's loader before importing the
// TypeScript worker (workers do not inherit the loader of the main thread).
import { register } from 'tsx/esm/api';

register();
const { default: runTrialTask } = await import('./trial-worker.ts');
export default runTrialTask;
