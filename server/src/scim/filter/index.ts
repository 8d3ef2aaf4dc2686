export type {
  AttrPath,
  CheckedAttribute,
  CheckedCompare,
  CheckedFilter,
  CheckedLogical,
  CheckedNot,
  CheckedPresent,
  CheckedValuePath,
  CompareNode,
  CompareOperator,
  FilterNode,
  FilterValue,
  LogicalNode,
  NotNode,
  PresentNode,
  ValuePathNode,
} from './ast.js';
export type { Token, TokenKind } from './lexer.js';
export { tokenize } from './lexer.js';
export type { ParseFilterOptions } from './parser.js';
export { makeParseFilterOptions, parseFilter, parseValueFilter } from './parser.js';
export { checkFilter, checkValuePath } from './check.js';
export { evaluateFilter, isPresent, matchesValueFilter } from './evaluate.js';
export { FilterError, filterError, filterErrorPosition, filterExcerpt } from './filter-error.js';
