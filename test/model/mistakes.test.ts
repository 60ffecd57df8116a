import { describe, expect, it } from 'vitest';
import { formatIssue, formatIssues, type Issue } from '../../src/base/issues.ts';
import { check } from '../../src/pipeline/load.ts';

/**
 * Model-file mistakes are reported as Issues: the right code and symbol, the exact 1-based line and
 * column of the offending token, and a hint. Each test breaks a small valid model in one way.
 */

const FILE = 'toy.yaml';
const BASE = `name: toy
description: a toy model that each test breaks in one way
params:
  alpha: { default: 2, min: 0 }
  lambda: { default: 0.1, min: 0 }
variables:
  xi: normal
functions:
  g(x): x / (1 + x)
order_params:
  qhat: { min: 0 }
  q: { init: 0.5 }
definitions:
  rho: 1
updates:
  qhat: alpha * E(xi, g(q + xi^2)) / (1 + lambda)
  q: rho * qhat / (1 + qhat)
observables:
  err: rho - q
`;

/** BASE with `from` (which must occur exactly once) replaced by `to`. */
function broken(from: string, to: string, base = BASE): string {
  expect(base.split(from).length - 1, `\`${from}\` occurs once in the model`).toBe(1);
  return base.replace(from, to);
}

/** 1-based line and column of `token` in `text`, searching from where `anchor` starts. */
function pos(text: string, token: string, anchor = ''): { line: number; col: number } {
  const a = text.indexOf(anchor);
  expect(a, `anchor \`${anchor}\``).toBeGreaterThanOrEqual(0);
  const i = text.indexOf(token, a);
  expect(i, `token \`${token}\``).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, i);
  return { line: before.split('\n').length, col: i - before.lastIndexOf('\n') };
}

const issuesOf = (text: string): readonly Issue[] => check(FILE, text).issues;

/** The only issue of `text` (fails, listing them, if there is not exactly one). */
function only(text: string): Issue {
  const issues = issuesOf(text);
  expect(issues.map(formatIssue), 'exactly one issue').toHaveLength(1);
  return issues[0];
}

describe('the base model', () => {
  it('is valid', () => {
    const r = check(FILE, BASE);
    expect(r.issues).toEqual([]);
    expect(r.compiled).toBeDefined();
  });
});

describe('YAML-level mistakes', () => {
  it('bad indentation is a yaml-syntax issue at the misplaced key', () => {
    const text = broken('  lambda: {', '   lambda: {');
    const i = only(text);
    expect(i).toMatchObject({ code: 'yaml-syntax', file: FILE, ...pos(text, 'lambda') });
    expect(i.hint).toMatch(/indentation/);
  });

  it('an unclosed bracket is a yaml-syntax issue where the parser notices it, naming the missing bracket', () => {
    const text = broken('lambda: { default: 0.1, min: 0 }', 'lambda: { default: 0.1, min: 0');
    const i = only(text);
    // The flow map opened on line 5 runs into the next section: reported at the start of that line.
    expect(i).toMatchObject({ code: 'yaml-syntax', ...pos(text, 'variables:') });
    expect(i.message).toMatch(/end with a \}/);
    expect(i.hint).toMatch(/brackets/);
  });

  it('an unquoted a ? b : c is a yaml-syntax issue whose hint says to quote it', () => {
    const text = broken('err: rho - q', 'err: q > 0 ? rho : q');
    const i = only(text);
    // the plain scalar `q > 0 ? rho` would be a key of a nested mapping: reported where it starts
    expect(i).toMatchObject({ code: 'yaml-syntax', ...pos(text, 'q > 0') });
    expect(i.hint).toMatch(/must be quoted/);
  });

  it('a duplicate key is a duplicate-name issue at its second occurrence', () => {
    const text = broken('  lambda: { default: 0.1, min: 0 }\n', '  lambda: { default: 0.1, min: 0 }\n  alpha: 3\n');
    const i = only(text);
    expect(i).toMatchObject({ code: 'duplicate-name', symbol: 'alpha', ...pos(text, 'alpha', 'alpha: 3') });
    expect(i.message).toMatch(/`alpha` appears twice/);
    expect(i.hint).toMatch(/remove or rename/);
  });
});

describe('shape mistakes (sections and keys)', () => {
  it('an unknown top-level section suggests the closest one', () => {
    const text = broken('observables:', 'obsevables:');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-key', symbol: 'obsevables', ...pos(text, 'obsevables') });
    expect(i.hint).toBe('did you mean `observables`?');
  });

  it('an unknown key inside a parameter declaration suggests the closest allowed key', () => {
    const text = broken('lambda: { default: 0.1, min: 0 }', 'lambda: { default: 0.1, min: 0, maxx: 1 }');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-key', symbol: 'maxx', ...pos(text, 'maxx') });
    expect(i.message).toMatch(/parameter lambda/);
    expect(i.hint).toBe('did you mean `max`?');
  });

  it('an unknown key with no close match lists the allowed keys', () => {
    const text = broken('lambda: { default: 0.1, min: 0 }', 'lambda: { default: 0.1, minimum: 0 }');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-key', symbol: 'minimum', ...pos(text, 'minimum') });
    expect(i.hint).toBe('allowed keys: default, min, max, doc');
  });

  it('a missing required section is reported at the top of the file', () => {
    const text = broken('updates:\n  qhat: alpha * E(xi, g(q + xi^2)) / (1 + lambda)\n  q: rho * qhat / (1 + qhat)\n', '');
    const issues = issuesOf(text);
    expect(issues[0]).toMatchObject({ code: 'missing-key', symbol: 'updates', line: 1, col: 1 });
    expect(issues[0].message).toMatch(/no `updates` section/);
    expect(issues[0].hint).toMatch(/update equation for each order parameter/);
  });

  it('a non-numeric parameter default points at the value and quotes it', () => {
    const text = broken('default: 0.1', 'default: small');
    const i = only(text);
    expect(i).toMatchObject({ code: 'bad-value', ...pos(text, 'small') });
    expect(i.message).toMatch(/default of lambda must be a number/);
    expect(i.hint).toMatch(/got "small"/);
  });

  it('min above max is one issue at min (not also a spurious "default outside its bounds")', () => {
    const text = broken('lambda: { default: 0.1, min: 0 }', 'lambda: { default: 0.1, min: 1, max: 0.5 }');
    const i = only(text);
    expect(i).toMatchObject({ code: 'bad-value', ...pos(text, '1,', 'min: 1') });
    expect(i.message).toBe('parameter lambda: min (1) is above max (0.5)');
  });

  it('a default outside the bounds is reported at the default', () => {
    const text = broken('lambda: { default: 0.1, min: 0 }', 'lambda: { default: -1, min: 0 }');
    const i = only(text);
    expect(i).toMatchObject({ code: 'bad-value', symbol: 'lambda', ...pos(text, '-1') });
    expect(i.message).toMatch(/outside its bounds/);
  });
});

describe('expression mistakes', () => {
  it('an extra closing parenthesis is reported at that parenthesis', () => {
    const text = broken('q: rho * qhat / (1 + qhat)', 'q: rho * qhat / (1 + qhat))');
    const i = only(text);
    const first = pos(text, '))', 'q: rho');
    expect(i).toMatchObject({ code: 'expression-syntax', line: first.line, col: first.col + 1 });
    expect(i.message).toMatch(/Unexpected operator \)/);
    expect(i.hint).toMatch(/mathjs syntax/);
  });

  it('a missing closing parenthesis is reported just after the expression, where it is expected', () => {
    const text = broken('q: rho * qhat / (1 + qhat)', 'q: rho * qhat / (1 + qhat');
    const i = only(text);
    const start = pos(text, 'rho * qhat');
    const end = pos(text, 'qhat\n', 'q: rho');
    expect(i).toMatchObject({ code: 'expression-syntax', line: start.line });
    expect(i.col).toBe(end.col + 'qhat'.length);
    expect(i.col).toBeGreaterThan(start.col);
    expect(i.message).toMatch(/Parenthesis \) expected/);
  });

  it('a syntax error inside a quoted expression points into the quotes', () => {
    const text = broken('err: rho - q', 'err: "rho - * q"');
    const i = only(text);
    expect(i).toMatchObject({ code: 'expression-syntax', ...pos(text, '* q', 'err:') });
  });

  it('an unknown symbol suggests the closest name (lamda -> lambda)', () => {
    const text = broken('/ (1 + lambda)', '/ (1 + lamda)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-symbol', symbol: 'lamda', ...pos(text, 'lamda') });
    expect(i.message).toBe('unknown symbol `lamda`');
    expect(i.hint).toBe('did you mean `lambda`?');
  });

  it('an unknown function suggests the closest built-in (erfcc -> erfc)', () => {
    const text = broken('err: rho - q', 'err: rho - erfcc(q)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-function', symbol: 'erfcc', ...pos(text, 'erfcc') });
    expect(i.hint).toBe('did you mean `erfc`?');
  });

  it('a built-in called with the wrong number of arguments', () => {
    const text = broken('err: rho - q', 'err: sqrt(rho, q)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'wrong-arity', symbol: 'sqrt', ...pos(text, 'sqrt') });
    expect(i.message).toBe('`sqrt` takes 1 argument, got 2');
    expect(i.hint).toBe('square root');
  });

  it('a user function called with the wrong number of arguments shows its declaration', () => {
    const text = broken('g(q + xi^2)', 'g(q, xi)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'wrong-arity', symbol: 'g', ...pos(text, 'g(q, xi)') });
    expect(i.message).toBe('`g` takes 1 argument, got 2');
    expect(i.hint).toBe('declared as g(x)');
  });

  it('definitions that refer to each other in a cycle (a -> b -> a)', () => {
    const text = broken('  rho: 1\n', '  a: b + 1\n  b: 2 * a\n  rho: a\n');
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues.every((i) => i.code === 'cyclic-definition')).toBe(true);
    expect(issues[0]).toMatchObject({ symbol: 'a', ...pos(text, 'a: b') });
    expect(issues[0].message).toMatch(/a -> b -> a/);
    expect(issues[0].hint).toMatch(/do not lead back/);
  });

  it('a recursive user function is a cycle reported at its declaration', () => {
    const text = broken('g(x): x / (1 + x)', 'g(x): x / (1 + g(x))');
    const i = only(text);
    expect(i).toMatchObject({ code: 'cyclic-definition', symbol: 'g', ...pos(text, 'g(x):') });
    expect(i.message).toMatch(/g -> g/);
    expect(i.hint).toMatch(/recursion is not supported/);
  });

  it('an expectation over an undeclared variable (E(z, ...) with only xi declared)', () => {
    const text = broken('E(xi, g(q + xi^2))', 'E(z, g(q + z^2))');
    const issues = issuesOf(text);
    expect(issues[0]).toMatchObject({ code: 'undeclared-variable', symbol: 'z', ...pos(text, 'z,') });
    expect(issues[0].hint).toMatch(/variables: \{z: normal\}/);
  });

  it('an expectation over a misspelled variable suggests the declared one', () => {
    const text = broken('E(xi, g(q + xi^2))', 'E(xii, g(q + xi^2))');
    const issues = issuesOf(text);
    expect(issues[0]).toMatchObject({ code: 'undeclared-variable', symbol: 'xii', ...pos(text, 'xii') });
    expect(issues[0].hint).toBe('did you mean `xi`?');
  });

  it('a random variable used outside an expectation', () => {
    const text = broken('q: rho * qhat / (1 + qhat)', 'q: rho * qhat / (1 + qhat) + xi');
    const i = only(text);
    expect(i).toMatchObject({ code: 'variable-outside-expectation', symbol: 'xi', ...pos(text, 'xi', 'q: rho') });
    expect(i.hint).toBe('wrap the expression that uses it in E(xi, ...)');
  });

  it('a user function reading an order parameter', () => {
    const text = broken('g(x): x / (1 + x)', 'g(x): x / (1 + q)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'state-in-function', symbol: 'q', ...pos(text, 'q)', 'g(x)') });
    expect(i.hint).toMatch(/add `q` as an argument/);
  });

  it('a matrix literal is unsupported syntax, reported at its bracket', () => {
    const text = broken('err: rho - q', 'err: rho - [1, 2]');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unsupported-syntax', ...pos(text, '[1') });
    expect(i.message).toMatch(/array syntax is not supported/);
    expect(i.hint).toMatch(/scalar formulas/);
  });

  it('a string is unsupported syntax, reported at the string', () => {
    const text = broken('err: rho - q', `err: rho - 'abc'`);
    const i = only(text);
    expect(i).toMatchObject({ code: 'unsupported-syntax', ...pos(text, `'abc'`) });
    expect(i.message).toMatch(/only numbers are allowed as constants, got "abc"/);
    expect(i.hint).toMatch(/numbers without quotes/);
  });

  it('an assignment is unsupported syntax, reported at `=`', () => {
    const text = broken('err: rho - q', 'err: q = rho');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unsupported-syntax', ...pos(text, '= rho') });
  });
});

describe('order parameters, updates and initial values', () => {
  it('an order parameter without an update', () => {
    const text = broken('  q: { init: 0.5 }\n', '  q: { init: 0.5 }\n  m: { init: 0 }\n');
    const i = only(text);
    expect(i).toMatchObject({ code: 'missing-update', symbol: 'm', ...pos(text, 'm: {') });
    expect(i.hint).toBe('add `m: <expression>` under updates');
  });

  it('an update of an undeclared order parameter suggests the closest one', () => {
    const text = broken('  q: rho * qhat', '  qq: 0.5\n  q: rho * qhat');
    const i = only(text);
    expect(i).toMatchObject({ code: 'update-of-undeclared', symbol: 'qq', ...pos(text, 'qq:') });
    expect(i.hint).toBe('did you mean `q`?');
  });

  it('an order parameter read before its update, without an initial value', () => {
    const text = broken('  q: { init: 0.5 }', '  q: { min: 0 }');
    const i = only(text);
    // q is read by the update of qhat, which comes before the update of q
    expect(i).toMatchObject({ code: 'missing-init', symbol: 'q', ...pos(text, 'q +', 'qhat: alpha') });
    expect(i.hint).toMatch(/move its update earlier/);
  });

  it('a named initialisation missing for one order parameter', () => {
    const text = broken('  q: { init: 0.5 }', '  q: { init: { uninformed: 0.5 } }');
    const i = only(text);
    expect(i).toMatchObject({ code: 'missing-init', symbol: 'q', ...pos(text, 'q: { init') });
    expect(i.message).toBe('order parameter `q` has no value for the initialisation `informed`');
  });

  it('a custom named initialisation must be given for every order parameter with an init', () => {
    let text = broken('  qhat: { min: 0 }', '  qhat: { min: 0, init: { uninformed: 1, informed: 2, warm: 3 } }');
    text = broken('  q: { init: 0.5 }', '  q: { init: { uninformed: 0.5, informed: 0.9 } }', text);
    const i = only(text);
    expect(i).toMatchObject({ code: 'missing-init', symbol: 'q', ...pos(text, 'q: { init') });
    expect(i.message).toMatch(/initialisation `warm`/);
  });
});

describe('quadrature node counts', () => {
  it('a node count of 0 as the third argument of E', () => {
    const text = broken('E(xi, g(q + xi^2))', 'E(xi, g(q + xi^2), 0)');
    const i = only(text);
    expect(i).toMatchObject({ code: 'bad-nodes', symbol: 'E', ...pos(text, 'E(xi') });
    expect(i.message).toMatch(/between 1 and 400/);
  });

  it('quadrature.nodes: 1000', () => {
    const text = broken('variables:', 'quadrature:\n  nodes: 1000\nvariables:');
    const i = only(text);
    expect(i).toMatchObject({ code: 'bad-nodes', ...pos(text, '1000') });
    expect(i.message).toBe('quadrature.nodes must be an integer between 1 and 400, got 1000');
  });

  it('a fractional node count of a variable', () => {
    const text = broken('  xi: normal', '  xi: { law: normal, nodes: 2.5 }');
    const i = only(text);
    expect(i).toMatchObject({ code: 'bad-nodes', ...pos(text, '2.5') });
  });
});

describe('names', () => {
  it('one name declared in two sections', () => {
    const text = broken('  rho: 1\n', '  rho: 1\n  alpha: 3\n');
    const i = only(text);
    expect(i).toMatchObject({ code: 'duplicate-name', symbol: 'alpha', ...pos(text, 'alpha: 3') });
    expect(i.message).toBe('`alpha` is declared both in params and in definitions');
    expect(i.hint).toBe('rename one of them');
  });

  it('an observable named like an order parameter', () => {
    const text = broken('  err: rho - q', '  err: rho - q\n  q: q');
    const i = only(text);
    expect(i).toMatchObject({ code: 'duplicate-name', symbol: 'q', ...pos(text, 'q: q') });
  });

  it('a reserved name', () => {
    const text = broken('  rho: 1\n', '  rho: 1\n  status: 2\n');
    const i = only(text);
    expect(i).toMatchObject({ code: 'bad-name', symbol: 'status', ...pos(text, 'status') });
  });
});

describe('block scalars', () => {
  it('an unknown symbol on the second line of a literal (|) block is located on that line', () => {
    const text = broken('  err: rho - q', '  err: |\n    rho\n      - qq');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-symbol', symbol: 'qq', ...pos(text, 'qq') });
    expect(i.line).toBe(pos(text, 'err: |').line + 2);
    expect(i.hint).toBe('did you mean `q`?');
  });

  it('an unknown symbol on the second line of a folded (>) block is located on that line', () => {
    const text = broken('  err: rho - q', '  err: >\n    rho -\n    2 * lamda');
    const i = only(text);
    expect(i).toMatchObject({ code: 'unknown-symbol', symbol: 'lamda', ...pos(text, 'lamda') });
    expect(i.hint).toBe('did you mean `lambda`?');
  });

  it('a valid multi-line block expression compiles', () => {
    const text = broken('  err: rho - q', '  err: |\n    rho\n      - q');
    expect(issuesOf(text)).toEqual([]);
  });

  it('a syntax error on the second line of a block is located on that line', () => {
    const text = broken('  err: rho - q', '  err: |\n    rho * (1 +\n      q))');
    const i = only(text);
    const first = pos(text, '))', 'err: |');
    expect(i).toMatchObject({ code: 'expression-syntax', line: first.line, col: first.col + 1 });
    expect(i.line).toBe(pos(text, 'err: |').line + 2);
  });
});

describe('several mistakes at once', () => {
  it('reports all five, sorted by line, from both the reading and the building stage', () => {
    let text = BASE;
    text = broken('observables:', 'obsevables:', text); // read stage, last in the file
    text = broken('/ (1 + lambda)', '/ (1 + lamda)', text); // build stage
    text = broken('default: 2', 'default: two', text); // read stage, first in the file
    text = broken('g(x): x / (1 + x)', 'g(x): x / (1 + q)', text); // build stage
    text = broken('q: rho * qhat / (1 + qhat)', 'q: rho * qhat / sqrt(1 + qhat, 2)', text); // build stage
    const issues = issuesOf(text);
    expect(issues.map((i) => i.code)).toEqual([
      'bad-value', 'state-in-function', 'unknown-symbol', 'wrong-arity', 'unknown-key',
    ]);
    expect(issues.map((i) => [i.line, i.col])).toEqual([
      pos(text, 'two'), pos(text, 'q)', 'g(x)'), pos(text, 'lamda'), pos(text, 'sqrt'), pos(text, 'obsevables'),
    ].map((p) => [p.line, p.col]));
    const lines = issues.map((i) => i.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(formatIssues(issues)).toMatch(/\n5 mistakes found\.$/);
  });
});

describe('formatting', () => {
  it('formatIssue gives file:line:col: error[code] `symbol`: message, with the hint on the next line', () => {
    const text = broken('/ (1 + lambda)', '/ (1 + lamda)');
    const { line, col } = pos(text, 'lamda');
    expect(formatIssue(only(text))).toBe(
      `${FILE}:${line}:${col}: error[unknown-symbol] \`lamda\`: unknown symbol \`lamda\`\n    hint: did you mean \`lambda\`?`,
    );
  });

  it('formatIssue without symbol or hint is one line', () => {
    expect(formatIssue({ code: 'bad-value', file: 'a.yaml', line: 3, col: 7, message: 'm' })).toBe('a.yaml:3:7: error[bad-value]: m');
  });

  it('formatIssues ends with the count', () => {
    const i: Issue = { code: 'bad-value', file: 'a.yaml', line: 1, col: 1, message: 'm' };
    expect(formatIssues([i])).toBe('a.yaml:1:1: error[bad-value]: m\n1 mistake found.');
  });
});

describe('names and starts that would silently change the meaning', () => {
  it('a parameter named like a built-in constant or function', () => {
    const text = broken('  lambda: { default: 0.1, min: 0 }\n', '  lambda: { default: 0.1, min: 0 }\n  pi: 3\n');
    const i = only(text);
    expect(i.code).toBe('duplicate-name');
    expect(i.symbol).toBe('pi');
    expect({ line: i.line, col: i.col }).toEqual(pos(text, 'pi: 3'));
    expect(i.message).toMatch(/built-in constant/);
  });

  it('an observable named free_energy next to a free_energy section', () => {
    const text = `${BASE}  free_energy: q\nfree_energy: -q\n`;
    const i = only(text);
    expect(i.code).toBe('duplicate-name');
    expect(i.symbol).toBe('free_energy');
    expect(i.line).toBe(pos(text, 'free_energy: q').line);
  });

  it('a start value outside the declared bounds', () => {
    const text = broken('  q: { init: 0.5 }', '  q: { init: 1.5, min: 0, max: 1 }');
    const i = only(text);
    expect(i.code).toBe('bad-value');
    expect(i.symbol).toBe('q');
    expect(i.message).toMatch(/outside its bounds \[0, 1\]/);
  });
});

describe('definitions inside functions', () => {
  it('do not capture the function arguments', async () => {
    const { loadModel } = await import('../../src/pipeline/load.ts');
    const { solve } = await import('../../src/solve/iterate.ts');
    const text = `name: capture
description: f(alpha) uses a definition that reads the parameter alpha, not the argument
params:
  alpha: 2
functions:
  f(alpha): twice + 0 * alpha
definitions:
  twice: 2 * alpha
order_params:
  x: { init: 0 }
updates:
  x: f(10)
`;
    const s = solve(loadModel(FILE, text).problem());
    expect(s.state.x).toBe(4);
  });
});
