import { describe, expect, it } from 'vitest';
import { useSessions } from '../testing/index.js';
import { createOrchestratorService } from './index.js';

function setup() {
  const { db, tmux, events, folders, sessions, log, userId } = useSessions();
  const service = createOrchestratorService({ db, tmux, events, folders, sessions, log, defaults: { intervalSeconds: 30, stallThresholdSeconds: 300 } });
  return { service, userId };
}

describe('Master Control on by default', () => {
  it('is made monitoring, once; a person turning it off or deleting it is kept', async () => {
    const { service, userId } = setup();
    try {
      const made = service.ensureMaster(userId);
      expect(made).toMatchObject({ kind: 'master', monitoring: true });
      expect(service.monitor.running).toBe(true);
      expect(service.ensureMaster(userId)?.id).toBe(made!.id);
      expect(service.list(userId)).toHaveLength(1);

      service.stopMonitoring(userId, made!.id);
      expect(service.ensureMaster(userId)).toMatchObject({ id: made!.id, monitoring: false });
      expect(service.monitor.running).toBe(false);

      service.delete(userId, made!.id);
      expect(service.ensureMaster(userId)).toBeNull();
      expect(service.list(userId)).toEqual([]);
    } finally {
      await service.dispose();
    }
  });
});
