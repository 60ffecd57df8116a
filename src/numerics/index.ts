export * from './gauss-hermite.ts';
export * from './special.ts';
export * from './gauss-legendre.ts';
export * from './truncated-normal.ts';
export * from './truncated-gauss.ts';
