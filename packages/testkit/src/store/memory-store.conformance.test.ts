import { MemoryCoordinationStore, SimulatedClock } from '@tandem/core';
import { describeStoreConformance } from './describe-store-conformance.js';

describeStoreConformance('MemoryCoordinationStore on a SimulatedClock', {
  create: async ({ eventsMax }) => {
    const clock = new SimulatedClock();
    const store = new MemoryCoordinationStore({ clock, eventsMax });
    return {
      store,
      // One process, one store: every "client" is the same object, whose calls are each atomic.
      connect: async () => store,
      cleanup: async () => undefined,
      advanceMs: (ms) => clock.advance(ms),
    };
  },
});
