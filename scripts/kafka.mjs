#!/usr/bin/env node
// A local Apache Kafka broker, one command, no Docker:
//
//   node scripts/kafka.mjs up     (npm run kafka:up)   fetch with Maven, format KRaft storage, start, wait
//   node scripts/kafka.mjs down   (npm run kafka:down) stop the broker this script started, by its pid
//
// The broker (deploy/kafka/pom.xml) and its dependencies are copied from Maven Central into
// .cache/kafka/lib once; later runs start in seconds. One node is broker and controller at once,
// listening on 127.0.0.1:9092 (clients) and 127.0.0.1:9093 (controller). Its log stays in
// .cache/kafka/data across down/up, so a restart keeps what was acknowledged. `up` is idempotent:
// a broker that already answers on the port is reused.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pom = join(root, 'deploy/kafka/pom.xml');
const log4j = join(root, 'deploy/kafka/log4j2.properties');
const cache = join(root, '.cache/kafka');
const lib = join(cache, 'lib');
const libStamp = join(lib, '.pom-sha256');
const data = join(cache, 'data');
const properties = join(cache, 'server.properties');
const pidFile = join(cache, 'broker.pid');
const logFile = join(cache, 'broker.log');

const host = '127.0.0.1';
const port = Number(process.env.KAFKA_PORT ?? 9092);
const controllerPort = port + 1;
const startTimeoutMs = Number(process.env.KAFKA_START_TIMEOUT_MS ?? 180_000);
const stopTimeoutMs = 30_000;

const brokerProperties = `# Written by scripts/kafka.mjs at every start; edit the script, not this file.
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}
advertised.listeners=PLAINTEXT://${host}:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
controller.quorum.voters=1@${host}:${controllerPort}
log.dirs=${data}
# One broker holds the only replica of the internal topics.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# tickstream creates its topics (EVENT_LOG_PARTITIONS, KAFKA_REPLICATION); tests create theirs.
auto.create.topics.enable=false
delete.topic.enable=true
# Serve a new consumer group at once, and let tests use short sessions so a killed member's
# partitions move within seconds.
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
log.retention.hours=24
num.partitions=1
`;

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else {
  console.error('usage: node scripts/kafka.mjs up|down');
  process.exit(2);
}

async function up() {
  const running = runningPid();
  if ((await accepts(port)) && (await answers())) {
    console.log(`kafka: already up on ${host}:${port}${running ? ` (pid ${running})` : ' (not started by this script)'}`);
    return;
  }
  if (running) {
    // Started earlier and still starting (or hung): wait for it rather than start a second one.
    console.log(`kafka: pid ${running} is starting, waiting for ${host}:${port}`);
    await waitUntilUp(running);
    return;
  }
  fetchBroker();
  mkdirSync(data, { recursive: true });
  writeFileSync(properties, brokerProperties);
  formatStorage();

  const out = openSync(logFile, 'a');
  const child = spawn(java(), [...jvmOptions(), '-cp', classPath(), 'kafka.Kafka', properties], {
    cwd: cache,
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  console.log(`kafka: started pid ${child.pid}, log in ${logFile}`);
  await waitUntilUp(child.pid);
}

async function down() {
  const pid = runningPid();
  if (!pid) {
    console.log('kafka: not running (no live pid in .cache/kafka/broker.pid)');
    rmSync(pidFile, { force: true });
    return;
  }
  // SIGTERM: the broker shuts down cleanly (its log needs no recovery at the next start).
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + stopTimeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) {
    console.log(`kafka: pid ${pid} still running after ${stopTimeoutMs} ms, killing it`);
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
  }
  rmSync(pidFile, { force: true });
  console.log(`kafka: stopped pid ${pid}`);
}

/** Copies the broker's jars from Maven Central, once per version of the pom. */
function fetchBroker() {
  const stamp = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(libStamp) && readFileSync(libStamp, 'utf8') === stamp) return;
  console.log('kafka: fetching the broker from Maven Central (first run only)');
  rmSync(lib, { recursive: true, force: true });
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-Dstyle.color=never', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'],
    { stdio: 'inherit' },
  );
  if (mvn.error) fail(`cannot run mvn (${mvn.error.message}); Maven 3.8+ and Java 17+ are required`);
  if (mvn.status !== 0) fail(`mvn dependency:copy-dependencies failed (exit ${mvn.status})`);
  writeFileSync(libStamp, stamp);
}

/** A KRaft log directory must be formatted with a cluster id before the first start. */
function formatStorage() {
  if (existsSync(join(data, 'meta.properties'))) return;
  // Kafka's cluster ids are 16 random bytes in unpadded base64url. Like Kafka's own Uuid, never
  // one that starts with '-': the storage tool's argument parser would read it as an option.
  let clusterId;
  do clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  const format = spawnSync(
    java(),
    [...jvmOptions(), '-cp', classPath(), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties],
    { cwd: cache, encoding: 'utf8' },
  );
  if (format.status !== 0) fail(`formatting ${data} failed:\n${format.stdout}${format.stderr}`);
  console.log(`kafka: formatted ${data} (cluster ${clusterId})`);
}

async function waitUntilUp(pid) {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) fail(`the broker (pid ${pid}) exited during start; see ${logFile}:\n${tail(logFile)}`);
    if ((await accepts(port)) && (await answers())) {
      console.log(`kafka: up on ${host}:${port}`);
      return;
    }
    await sleep(500);
  }
  fail(`the broker (pid ${pid}) did not accept connections on ${host}:${port} within ${startTimeoutMs} ms; see ${logFile}`);
}

function jvmOptions() {
  return [
    // Small heap: a test broker on a shared machine, not a production one.
    '-Xms128m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    `-Dkafka.logs.dir=${cache}`,
  ];
}

function classPath() {
  return readdirSync(lib)
    .filter((name) => name.endsWith('.jar'))
    .map((name) => join(lib, name))
    .join(':');
}

function java() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java';
}

/** The pid this script recorded, if that process still runs. */
function runningPid() {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(target) {
  return new Promise((done) => {
    const socket = connect({ host, port: target });
    socket.setTimeout(1_000);
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

/**
 * The listener is bound before the broker serves requests: ready means a metadata request lists
 * this broker (through the client library the adapters use).
 */
async function answers() {
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({
    clientId: 'tickstream-kafka-up',
    bootstrapBrokers: [`${host}:${port}`],
    retries: 0,
    connectTimeout: 2_000,
    requestTimeout: 5_000,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}

function tail(file) {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '';
}

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

function fail(message) {
  console.error(`kafka: ${message}`);
  process.exit(1);
}
