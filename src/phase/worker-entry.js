// Worker entry for tinypool: plain JavaScript, so that it can register tsx's loader before importing the
// TypeScript worker (workers do not inherit the loader of the main thread).
import { register } from 'tsx/esm/api';

register();
const { default: runPhaseTasks } = await import('./worker.ts');
export default runPhaseTasks;
