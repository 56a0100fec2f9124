import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkEventsBounded, checkEventsOrderedAndPaged } from './event-checks.js';
import {
  checkAcquireOnEmpty,
  checkConcurrentAcquireOneWinner,
  checkEpochsStrictlyIncrease,
  checkExpiryGivesNextEpoch,
  checkHolderReacquireRenews,
  checkOtherProcessSameNodeCannotTakeLease,
  checkReleaseByNonHolderFails,
  checkReleaseKeepsEpochCounter,
  checkSecondNodeCannotAcquire,
  checkRenewNeedsHolderAndEpoch,
  checkRenewOnEmptyFails,
} from './lease-checks.js';
import {
  checkConcurrentRecordPrimaryOneWinner,
  checkRecordPrimaryNeedsTheLease,
  checkSoleCopyMarkedOnlyByItsHolder,
  checkHigherEpochPrimaryReplaces,
  checkNoPrimaryBeforeFirstRecord,
  checkSameOrLowerEpochPrimaryRefused,
} from './primary-checks.js';
import { checkOversizeEventRefused, checkOversizeHeartbeatRefused } from './limit-checks.js';
import { checkHeartbeatReplacesRecord, checkHeartbeatsLapse, checkMembersSortedWithFacts } from './member-checks.js';
import { checkCompleteRequestIsCompareAndSet, checkCompleteRequestRace, checkSettingsMerge } from './settings-checks.js';
import { DEFAULT_CHECK_SETTINGS, type CheckSettings, type StoreConformanceOptions, type StoreUnderTest } from './store-under-test.js';

type Check = (sut: StoreUnderTest, settings: CheckSettings) => Promise<void>;

/** Every check of the suite, by the sentence it proves. Exported so other runners can iterate them. */
export const STORE_CHECKS: Readonly<Record<string, Check>> = {
  'acquire on an empty store grants epoch 1': checkAcquireOnEmpty,
  'a second node cannot acquire a held lease': checkSecondNodeCannotAcquire,
  'the holder re-acquiring renews with the same epoch': checkHolderReacquireRenews,
  'another process with the same node name cannot re-acquire, renew or release a held lease': checkOtherProcessSameNodeCannotTakeLease,
  'renew needs the holder and the exact epoch': checkRenewNeedsHolderAndEpoch,
  'renew on an empty store fails and grants nothing': checkRenewOnEmptyFails,
  'after expiry another node acquires with epoch + 1': checkExpiryGivesNextEpoch,
  'release frees the lease but keeps the epoch counter': checkReleaseKeepsEpochCounter,
  'release by a non-holder or wrong epoch is refused': checkReleaseByNonHolderFails,
  'epochs strictly increase over many holders': checkEpochsStrictlyIncrease,
  'concurrent acquires from separate clients have exactly one winner': checkConcurrentAcquireOneWinner,
  'no primary is recorded before the first recordPrimary': checkNoPrimaryBeforeFirstRecord,
  'a primary record at a higher epoch replaces the last one': checkHigherEpochPrimaryReplaces,
  'a primary record at the same or a lower epoch is refused and changes nothing': checkSameOrLowerEpochPrimaryRefused,
  'concurrent recordPrimary at one epoch from separate clients has exactly one winner': checkConcurrentRecordPrimaryOneWinner,
  'recordPrimary is refused unless the node holds the live lease at that epoch': checkRecordPrimaryNeedsTheLease,
  'the sole-copy mark of a promotion is changed only by its holder, at its epoch': checkSoleCopyMarkedOnlyByItsHolder,
  'members are sorted by node and carry their facts': checkMembersSortedWithFacts,
  'a heartbeat replaces the member record whole': checkHeartbeatReplacesRecord,
  'heartbeats lapse after their ttl': checkHeartbeatsLapse,
  'settings patches merge; request undefined clears': checkSettingsMerge,
  'completeRequest clears only the request with that id': checkCompleteRequestIsCompareAndSet,
  'two clients completing one request: exactly one succeeds': checkCompleteRequestRace,
  'events are ordered and page with after/limit': checkEventsOrderedAndPaged,
  'the event history is bounded; the oldest are dropped': checkEventsBounded,
  'an oversize member record is refused with a RangeError and nothing is written': checkOversizeHeartbeatRefused,
  'an oversize event message or data is refused with a RangeError and nothing is written': checkOversizeEventRefused,
};

/**
 * The black-box suite every CoordinationStore must pass. Each check gets a
 * fresh, empty store from `create` and cleans it up after, and each must
 * make at least one assertion.
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  const settings: CheckSettings = {
    ...DEFAULT_CHECK_SETTINGS,
    ttlMs: options.ttlMs ?? DEFAULT_CHECK_SETTINGS.ttlMs,
    racers: options.racers ?? DEFAULT_CHECK_SETTINGS.racers,
  };
  describe(`CoordinationStore conformance: ${name}`, () => {
    let sut: StoreUnderTest | undefined;
    beforeEach(async () => {
      sut = await options.create({ eventsMax: settings.eventsMax });
    });
    afterEach(async () => {
      const current = sut;
      sut = undefined;
      if (current === undefined) return;
      try {
        await current.store.close();
      } finally {
        await current.cleanup();
      }
    });
    for (const [sentence, check] of Object.entries(STORE_CHECKS)) {
      it(sentence, async () => {
        expect.hasAssertions();
        if (sut === undefined) throw new Error('the store factory did not produce a store');
        await check(sut, settings);
      });
    }
  });
}
