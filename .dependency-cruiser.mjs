/**
 * The layering of tickstream, checked by dependency-cruiser on every `npm test` (`npm run deps`,
 * and test/unit/layers.test.ts). ARCHITECTURE.md explains the layers; this file is what holds them.
 *
 *   domain ← ports ← services          (pure logic, promises, roles)
 *   domain ← protocol ← client ← web   (the wire, the one client, the dashboard)
 *   adapters implement ports; servers expose services; wiring (and cli) put everything together.
 *
 * An exception to a rule names the one file or package it lets through and says why; add to it
 * only with a reason that would convince a reviewer, never to silence a finding.
 */

/** Paths the rules speak of. Folders end in `/` so `src/domain` cannot match `src/domainish`. */
const DOMAIN = '^src/domain/';
const PORTS = '^src/ports/';
const PROTOCOL = '^src/protocol/';
const CLIENT = '^src/client/';
const OBSERVABILITY = '^src/observability/';
const SERVICES = '^src/services/';
const ADAPTERS = '^src/adapters/';
const SERVERS = '^src/servers/';
const WIRING = '^src/wiring/';
const WEB = '^web/src/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes start-up order and mocking fragile; break it by moving the shared piece down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment:
        'Every import must resolve: an import the cruiser cannot follow would let a layer violation through unseen.',
      from: {},
      // bench/ runs the built server (dist/), which is not cruised and may not be built yet.
      to: { couldNotResolve: true, pathNot: ['^(\\.\\./)+dist/'] },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'src/domain is logic without I/O: it imports only src/domain. Allowed beyond that, each for one reason: ' +
        'node:crypto (password hashing is computation), trading-signals (indicator arithmetic, no I/O) and ' +
        'jose in the token service only (JWT signing is computation on a secret the caller passes in).',
      from: { path: DOMAIN },
      // Packages and built-ins are judged by domain-packages and domain-built-ins below.
      to: { dependencyTypes: ['local'], pathNot: [DOMAIN] },
    },
    {
      name: 'domain-packages',
      severity: 'error',
      comment: 'The only packages the domain may use, and where (see domain-is-pure).',
      from: { path: DOMAIN, pathNot: ['^src/domain/accounts/tokens\\.ts$'] },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: ['node_modules/trading-signals/'] },
    },
    {
      name: 'domain-built-ins',
      severity: 'error',
      comment: 'The domain does no I/O: of the node built-ins only crypto (password hashing) is allowed.',
      from: { path: DOMAIN },
      to: { dependencyTypes: ['core'], pathNot: ['^(node:)?crypto$'] },
    },
    {
      name: 'ports-speak-domain',
      severity: 'error',
      comment: 'A port is a promise written in domain terms: it imports only src/domain and other ports.',
      from: { path: PORTS },
      to: { pathNot: [DOMAIN, PORTS] },
    },
    {
      name: 'services-use-ports',
      severity: 'error',
      comment:
        'A role depends on domain, ports and protocol only, never on a technology. Exception: src/observability ' +
        '(the Logger and Metrics types, audit lines, trace spans) is cross-cutting and injected; it is itself ' +
        'kept free of adapters and servers by observability-is-a-leaf.',
      from: { path: SERVICES },
      to: { pathNot: [DOMAIN, PORTS, PROTOCOL, SERVICES, OBSERVABILITY] },
    },
    {
      name: 'observability-is-a-leaf',
      severity: 'error',
      comment:
        'Services may import src/observability, so it must not pull technology or servers in behind their back. ' +
        'It reads domain and port types, and config/schema-kit for the ConfigError its OTEL_* settings raise.',
      from: { path: OBSERVABILITY },
      to: { path: '^src/', pathNot: [DOMAIN, PORTS, OBSERVABILITY, '^src/config/schema-kit\\.ts$'] },
    },
    {
      name: 'adapters-not-servers',
      severity: 'error',
      comment: 'An adapter implements a port; it never reaches up into servers, roles or the wiring that chooses it.',
      from: { path: ADAPTERS },
      to: { path: [SERVERS, SERVICES, WIRING, '^src/cli\\.ts$'] },
    },
    {
      name: 'protocol-is-the-wire',
      severity: 'error',
      comment:
        'src/protocol is imported by the dashboard, the client and the benchmark: it holds the wire and the ' +
        'domain types it carries, and nothing that runs a server or talks to an engine.',
      from: { path: PROTOCOL },
      to: { pathNot: [PROTOCOL, DOMAIN] },
    },
    {
      name: 'client-on-protocol',
      severity: 'error',
      comment:
        'The client ships to browsers and other programs (`tickstream/client`): it speaks the protocol and nothing else. ' +
        'Exception: src/domain/backoff.ts, the one retry rule, which imports nothing (browser-safe).',
      from: { path: CLIENT },
      to: { pathNot: [CLIENT, PROTOCOL, '^src/domain/backoff\\.ts$'] },
    },
    {
      name: 'browser-code-no-node',
      severity: 'error',
      comment: 'Protocol, client and dashboard run in browsers: no node built-ins.',
      from: { path: [PROTOCOL, CLIENT, WEB] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'web-uses-protocol-and-client',
      severity: 'error',
      comment: 'The dashboard reaches the server only over the wire: of src/ it imports the protocol and the client.',
      from: { path: WEB },
      to: { path: '^src/', pathNot: [PROTOCOL, CLIENT] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^web/dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
  },
};
