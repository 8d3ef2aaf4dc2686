/**
 * The layering of docs/architecture.md §9 as dependency-cruiser rules: `npm run check:deps` in CI,
 * and tests/unit/architecture.test.ts runs the same rules against the tree through depcruise's API.
 *
 * Dependencies point inwards: surfaces (http/, rpc/, metrics/, cli/, install/) import use cases;
 * use cases import scim/, provisioning/ and the ports they declare; mailcow/ implements those ports.
 * Type-only imports count everywhere (tsPreCompilationDeps), so a cycle through types is a cycle.
 */

/** The use cases that decide a change (docs/architecture.md §9). */
const USE_CASES_WITH_STORES = '^server/src/(users|groups)/';
/** What sits below the use cases: the SCIM core, pure rules, the unit-of-work port, the data layer, generated code. */
const BELOW_USE_CASES = '^server/src/(scim|provisioning|unit-of-work|mailcow|gen)/';
/** The SCIM core's own layers, each built on the ones before it: schema ← filter ← patch ← projection. */
const SCIM_LAYERS = ['schema', 'filter', 'patch', 'projection'];

const scimLayerRules = SCIM_LAYERS.flatMap((layer, i) => [
  ...(i < SCIM_LAYERS.length - 1
    ? [
        {
          name: `scim-${layer}-below-later-layers`,
          comment: `scim/${layer}/ must not import the layers built on it (${SCIM_LAYERS.slice(i + 1).join(', ')}).`,
          severity: 'error',
          from: { path: `^server/src/scim/${layer}/` },
          to: { path: `^server/src/scim/(${SCIM_LAYERS.slice(i + 1).join('|')})/` },
        },
      ]
    : []),
  {
    name: `scim-${layer}-through-its-index`,
    comment: `Outside scim/${layer}/, import it through scim/${layer}/index.ts, its public face.`,
    severity: 'error',
    from: { path: '^server/src/', pathNot: `^server/src/scim/${layer}/` },
    to: { path: `^server/src/scim/${layer}/`, pathNot: `^server/src/scim/${layer}/index\\.ts$` },
  },
]);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'scim-core-imports-only-itself',
      comment: 'server/src/scim/ knows nothing of HTTP, gRPC, SQL, mailcow or the use cases (docs/architecture.md §9).',
      severity: 'error',
      from: { path: '^server/src/scim/' },
      to: { pathNot: '^server/src/scim/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'scim-core-no-io-builtins',
      comment: 'The SCIM core computes; of node it uses crypto (hashes for ETags and cursors) and nothing that does I/O.',
      severity: 'error',
      from: { path: '^server/src/scim/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'below-use-cases-no-users-groups',
      comment:
        'Nothing below a use case imports users/ or groups/, so nothing below can call back up into one; ' +
        'mailcow/ and unit-of-work/ may name the types of their ports.ts (docs/architecture.md §9).',
      severity: 'error',
      from: { path: BELOW_USE_CASES },
      to: { path: USE_CASES_WITH_STORES, pathNot: `${USE_CASES_WITH_STORES}ports\\.ts$` },
    },
    {
      name: 'below-use-cases-ports-types-only',
      comment: 'A port of users/ or groups/ is imported with `import type` from below: erased at run time, it holds nothing to call.',
      severity: 'error',
      from: { path: BELOW_USE_CASES },
      to: { path: `${USE_CASES_WITH_STORES}ports\\.ts$`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'unit-of-work-port-types-only',
      comment: 'mailcow/ implements the unit-of-work port: it names the port\'s types and imports nothing to run from it.',
      severity: 'error',
      from: { path: '^server/src/mailcow/' },
      to: { path: '^server/src/unit-of-work/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'provisioning-is-pure',
      comment: 'provisioning/ holds pure rules: no storage, transport, unit of work or use case of Users and Groups.',
      severity: 'error',
      from: { path: '^server/src/provisioning/' },
      to: { path: ['^server/src/(mailcow|http|rpc|users|groups|unit-of-work|gen)/', 'node_modules/(mysql2|ioredis|fastify|@grpc)/'] },
    },
    {
      name: 'outbox-through-its-ports',
      comment:
        'The outbox worker does post-commit work through the ports it declares (outbox/ports.ts): no SQL, ' +
        'client library, surface or use case of its own (docs/architecture.md §8.1).',
      severity: 'error',
      from: { path: '^server/src/outbox/' },
      to: { path: ['^server/src/(mailcow|http|rpc|metrics|users|groups|unit-of-work|gen|cli|install)/', 'node_modules/(mysql2|ioredis|fastify|@grpc)/'] },
    },
    {
      name: 'outbox-port-types-only',
      comment: 'The data layer and the metrics name the outbox\'s types; only the composition root runs the worker.',
      severity: 'error',
      from: { path: '^server/src/(mailcow|metrics)/' },
      to: { path: '^server/src/outbox/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'login-routing-is-decision-logic',
      comment: 'login-routing/ decides from facts it is given: it imports only itself and the SCIM core.',
      severity: 'error',
      from: { path: '^server/src/login-routing/' },
      to: { pathNot: ['^server/src/login-routing/', '^server/src/scim/index\\.ts$'] },
    },
    {
      name: 'http-not-rpc',
      comment: 'The two surfaces are independent: http/ does not import rpc/.',
      severity: 'error',
      from: { path: '^server/src/http/' },
      to: { path: '^server/src/rpc/' },
    },
    {
      name: 'rpc-not-http',
      comment: 'The two surfaces are independent: rpc/ does not import http/.',
      severity: 'error',
      from: { path: '^server/src/rpc/' },
      to: { path: '^server/src/http/' },
    },
    {
      name: 'gen-only-through-rpc',
      comment: 'Generated code (npm run generate) is imported by rpc/ only (docs/architecture.md §9); main.ts takes the service definitions from rpc/services.ts.',
      severity: 'error',
      from: { path: '^server/src/', pathNot: '^server/src/(rpc|gen)/' },
      to: { path: '^server/src/gen/' },
    },
    {
      name: 'mysql2-only-in-mailcow',
      comment: 'SQL lives in the data layer: only mailcow/ talks to the MariaDB driver.',
      severity: 'error',
      from: { path: '^server/src/', pathNot: '^server/src/mailcow/' },
      to: { path: 'node_modules/mysql2/' },
    },
    ...scimLayerRules,
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included (docs/architecture.md §9).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'server-not-to-dev-dependencies',
      comment: 'The image installs production dependencies only: server code must not import a devDependency.',
      severity: 'error',
      from: { path: '^server/src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    // Type-only imports are dependencies too (they make cycles and couple layers).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // Resolve packages the way node does (the exports map), so @bufbuild/protobuf/wire resolves.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
