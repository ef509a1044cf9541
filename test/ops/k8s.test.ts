import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_SCHEMA, ROLE_NAMES } from '../../src/config/schema.js';

/**
 * deploy/k8s/base, checked offline: the kustomization's resources (and the Secret its generator
 * makes from secrets.env.example) against the Kubernetes API schemas of kubernetes-models, then
 * what the schemas cannot know: a Deployment per role with valid ROLES and only tickstream
 * settings, probes on /ready and /health at the port the process listens on, and Services, the
 * Ingress, the PodDisruptionBudget and the HPA pointing at what exists.
 */
const BASE = fileURLToPath(new URL('../../deploy/k8s/base/', import.meta.url));
const read = (name: string): string => readFileSync(resolve(BASE, name), 'utf8');

interface Kustomization {
  resources: string[];
  secretGenerator: { name: string; envs: string[] }[];
}
const kustomization = parse(read('kustomization.yaml')) as Kustomization;

/** KEY=value lines of an env file, comments and blank lines left out. */
const envFile = (text: string): Record<string, string> =>
  Object.fromEntries(text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } } & Record<string, unknown>;
const manifests: Manifest[] = kustomization.resources.flatMap((file) => parseAllDocuments(read(file)).map((doc) => doc.toJS() as Manifest));
// The generator's Secret, as it comes out of the example file an operator copies.
const generator = kustomization.secretGenerator[0]!;
const secretData = envFile(read(`${generator.envs[0]}.example`));
manifests.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: generator.name }, stringData: secretData });

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

const ofKind = <T>(kind: string): (T & Manifest)[] => manifests.filter((m) => m.kind === kind) as (T & Manifest)[];
const deployments = ofKind<Deployment>('Deployment');
const container = (d: Deployment) => d.spec!.template.spec!.containers[0]!;
const roleOf = (d: Deployment): string => container(d).env!.find((e) => e.name === 'ROLES')!.value!;
const podLabels = (d: Deployment): Record<string, string> => d.spec!.template.metadata!.labels!;
const selects = (selector: Record<string, string>, d: Deployment): boolean => Object.entries(selector).every(([k, v]) => podLabels(d)[k] === v);
const SETTINGS = new Set(Object.values(CONFIG_SCHEMA).map((field) => field.env));
const config = ofKind<ConfigMap>('ConfigMap')[0]!;

describe('deploy/k8s/base', () => {
  it.each(manifests.map((m) => [`${m.kind} ${m.metadata.name}`, m] as const))('%s is valid against the Kubernetes API schema', (_name, manifest) => {
    const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
    expect(Model, `a model for ${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
    expect(() => new Model!(manifest as never).validate()).not.toThrow();
  });

  it('has a Deployment per role, each running that one role', () => {
    const roles = deployments.map(roleOf);
    for (const role of roles) expect(ROLE_NAMES as readonly string[], role).toContain(role);
    // The ingestor needs a feed of yours (INGEST_SOURCE); the generator stands in for it here.
    expect(roles.sort()).toEqual(ROLE_NAMES.filter((r) => r !== 'ingestor').sort());
    for (const d of deployments) expect(selects(d.spec!.selector.matchLabels!, d), d.metadata!.name).toBe(true);
    // Two simulators would number the same symbols twice: never more than one, even during a rollout.
    const generator = deployments.find((d) => roleOf(d) === 'generator')!;
    expect(generator.spec!.replicas).toBe(1);
    expect(generator.spec!.strategy!.type).toBe('Recreate');
  });

  it('gives tickstream only its own settings, secrets from the generated Secret', () => {
    const keys = [...Object.keys(config.data!), ...Object.keys(secretData), ...deployments.flatMap((d) => container(d).env!.map((e) => e.name))];
    expect(keys.filter((k) => !SETTINGS.has(k)), 'not tickstream settings (src/config/schema.ts)').toEqual([]);
    expect(Object.keys(secretData).sort()).toEqual(['AMQP_URL', 'DATABASE_URL', 'JWT_SECRET']);
    for (const d of deployments) {
      const from = container(d).envFrom!;
      expect(from.map((f) => f.configMapRef?.name ?? f.secretRef?.name), d.metadata!.name).toEqual([config.metadata!.name, generator.name]);
    }
    // The real secrets.env stays out of git.
    expect(read('.gitignore').split('\n')).toContain(generator.envs[0]);
  });

  it('probes readiness on /ready and liveness on /health, at the port the process listens on', () => {
    for (const d of deployments) {
      const c = container(d);
      const port = c.ports!.find((p) => p.name === 'http')!;
      expect(String(port.containerPort), d.metadata!.name).toBe(config.data!.PORT);
      expect(c.readinessProbe!.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(c.livenessProbe!.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(d.spec!.template.metadata!.annotations!['prometheus.io/port']).toBe(config.data!.PORT);
    }
  });

  it('routes streams to the gateways and the rest to api, through Services that select them', () => {
    const services = new Map(ofKind<Service>('Service').map((s) => [s.metadata!.name!, s]));
    const roleBehind = (name: string): string[] => deployments.filter((d) => selects(services.get(name)!.spec!.selector!, d)).map(roleOf);
    expect(roleBehind('tickstream-gateway')).toEqual(['gateway']);
    expect(roleBehind('tickstream-api')).toEqual(['api']);
    const paths = ofKind<Ingress>('Ingress')[0]!.spec!.rules![0]!.http!.paths;
    const backend = (path: string): string => paths.find((p) => p.path === path)!.backend.service!.name;
    expect([backend('/ws'), backend('/socket.io'), backend('/')]).toEqual(['tickstream-gateway', 'tickstream-gateway', 'tickstream-api']);
  });

  it('keeps gateways available through disruptions and scales them', () => {
    const gateway = deployments.find((d) => roleOf(d) === 'gateway')!;
    const pdb = ofKind<PodDisruptionBudget>('PodDisruptionBudget')[0]!;
    expect(selects(pdb.spec!.selector!.matchLabels!, gateway)).toBe(true);
    expect(deployments.filter((d) => selects(pdb.spec!.selector!.matchLabels!, d))).toHaveLength(1);
    const hpa = ofKind<HorizontalPodAutoscaler>('HorizontalPodAutoscaler')[0]!;
    expect(hpa.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: gateway.metadata!.name });
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(2);
  });
});
