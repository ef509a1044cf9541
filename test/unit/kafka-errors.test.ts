import { MultipleErrors, NetworkError, ResponseError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { describeKafkaError, hasProtocolError, protocolErrorIds } from '../../src/adapters/kafka/errors.js';

describe('Kafka error reading', () => {
  const refused = () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' });
    return new MultipleErrors('Cannot connect to any broker.', [new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: socket })]);
  };

  it('describes a nested failure in one line, outermost first, each message once', () => {
    const retried = new MultipleErrors('metadata failed 2 times.', [refused(), refused()]);
    expect(describeKafkaError(retried)).toBe('metadata failed 2 times. ← Cannot connect to any broker. ← Connection to 127.0.0.1:9092 failed. ← connect ECONNREFUSED 127.0.0.1:9092');
    expect(describeKafkaError('plain')).toBe('plain');
    expect(describeKafkaError(new Error('x', { cause: new Error('y') }))).toBe('x ← y');
  });

  it('finds protocol errors by id anywhere in the tree', () => {
    // CreateTopics (19): TOPIC_ALREADY_EXISTS is 36.
    const exists = new MultipleErrors('createTopics failed', [new ResponseError(19, 7, { '/topics/0': [36, 'Topic already exists'] }, {})]);
    expect(hasProtocolError(exists, 'TOPIC_ALREADY_EXISTS')).toBe(true);
    expect(hasProtocolError(refused(), 'TOPIC_ALREADY_EXISTS')).toBe(false);
    expect(protocolErrorIds(new ResponseError(12, 4, { '/': [27, null] }, {}))).toEqual(new Set(['REBALANCE_IN_PROGRESS']));
  });
});
