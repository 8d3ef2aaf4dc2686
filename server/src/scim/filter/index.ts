export type {
  CheckedAttribute,
  CheckedFilter,
  CheckedValuePath,
  CompareOperator,
  FilterNode,
} from './ast.js';
export { tokenize } from './lexer.js';
export { parseFilter, parseValueFilter } from './parser.js';
export { checkFilter, checkValuePath } from './check.js';
export { evaluateFilter, isPresent, matchesValueFilter } from './evaluate.js';
export { FilterError, filterErrorPosition, filterExcerpt } from './filter-error.js';
