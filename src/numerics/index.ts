export * from './gauss-hermite.ts';
export * from './special.ts';
