import { describe, expect, it } from 'vitest';
import { classifyAnswered, classifyError } from './classify-write.js';
import { SessionError } from './pg-session.js';

describe('write classification', () => {
  it('acks an answered write without warnings, and doubts one whose synchronous-commit wait was cancelled', () => {
    expect(classifyAnswered([])).toEqual({ outcome: 'acked' });
    const warned = classifyAnswered(['canceling wait for synchronous replication due to user request (The transaction has already committed locally)']);
    expect(warned.outcome).toBe('uncertain');
  });

  it('calls a write failed when it was never sent (connect refused)', () => {
    expect(classifyError(new SessionError('connect ECONNREFUSED', false, false)).outcome).toBe('failed');
  });

  it('calls a write uncertain after a client deadline or a lost connection once sent', () => {
    expect(classifyError(new SessionError('deadline', true, true)).outcome).toBe('uncertain');
    expect(classifyError(new SessionError('Connection terminated unexpectedly', true, false)).outcome).toBe('uncertain');
    expect(classifyError(new SessionError('terminating connection due to administrator command', true, false, '57P01')).outcome).toBe('uncertain');
    expect(classifyError(new Error('something odd')).outcome).toBe('uncertain');
  });

  it('calls an ordinary statement error (read-only replica) failed', () => {
    expect(classifyError(new SessionError('cannot execute INSERT in a read-only transaction', true, false, '25006')).outcome).toBe('failed');
  });
});
