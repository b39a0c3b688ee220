/**
 * A schedule is the whole input of a simulated run: the deployment's shape and a list of steps
 * (client calls, replication progress and faults). Steps name regions, keys and ciphertexts by
 * index, taken modulo what exists, so that any shrunk schedule is still a valid one. Running a
 * schedule is deterministic, which is what makes a failure replay from its seed.
 */
import fc from 'fast-check';
import { COMMAND_NAMES, createKey, decrypt, encrypt, keyCommand, sweep, type CommandName } from './client-ops.ts';
import type { PublishFault } from './sim-network.ts';
import { SimWorld, worldConfig } from './sim-world.ts';

export type Step =
  | { readonly t: 'create'; readonly at: number; readonly pin: number; readonly withCreator: boolean }
  | { readonly t: 'command'; readonly at: number; readonly key: number; readonly name: CommandName; readonly arg: number; readonly readFrom: number | null; readonly sync: boolean }
  | { readonly t: 'encrypt'; readonly at: number; readonly key: number }
  | { readonly t: 'decrypt'; readonly at: number; readonly ct: number }
  | { readonly t: 'sweep'; readonly at: number }
  | { readonly t: 'retry'; readonly at: number; readonly op: number }
  | { readonly t: 'pull'; readonly at: number }
  | { readonly t: 'watchdog'; readonly at: number }
  | { readonly t: 'confirm'; readonly at: number }
  | { readonly t: 'rogue'; readonly at: number; readonly key: number }
  | { readonly t: 'deliver'; readonly at: number; readonly count: number }
  | { readonly t: 'replicate'; readonly at: number }
  | { readonly t: 'cut' | 'isolate' | 'heal' | 'restart'; readonly at: number }
  | { readonly t: 'healAll' }
  | { readonly t: 'election'; readonly on: boolean }
  | { readonly t: 'publishFault'; readonly at: number; readonly fault: PublishFault }
  | { readonly t: 'drop' | 'duplicate' | 'reorder'; readonly at: number; readonly index: number }
  | { readonly t: 'delay'; readonly at: number; readonly index: number; readonly ms: number }
  | { readonly t: 'tick'; readonly ms: number };

export interface Schedule {
  readonly regionCount: number;
  readonly maxMsgsPerSubject: number;
  readonly steps: readonly Step[];
}

/** Simulated time that passes per step: small against the duplicate window, large against nothing else. */
export const STEP_MS = 1_000;
const DAY_MS = 86_400_000;

const at = fc.nat({ max: 4 });
const index = fc.nat({ max: 7 });
// Rotation is what creates versions, the thing most worth losing; every other command shares the rest.
const commandName: fc.Arbitrary<CommandName> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('rotate' as const) },
  { weight: 2, arbitrary: fc.constantFrom(...COMMAND_NAMES.filter((n) => n !== 'rotate')) },
);

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  // Mostly pinned so that the creator may hold the key; sometimes not, to see the typed refusal.
  { weight: 4, arbitrary: fc.record({ t: fc.constant('create' as const), at, pin: fc.nat({ max: 31 }), withCreator: fc.nat({ max: 5 }).map((n) => n > 0) }) },
  {
    weight: 10,
    arbitrary: fc.record({
      t: fc.constant('command' as const), at, key: index, name: commandName, arg: at,
      readFrom: fc.option(at, { freq: 3 }), sync: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('encrypt' as const), at, key: index }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('decrypt' as const), at, ct: index }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('sweep' as const), at }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('retry' as const), at, op: index }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('pull' as const), at }) },
  // The node's watchdog runs on a timer; the schedule decides when it fires.
  { weight: 2, arbitrary: fc.record({ t: fc.constant('watchdog' as const), at }) },
  // So does the version confirmer (and a healthy `replicate` round ends with it).
  { weight: 3, arbitrary: fc.record({ t: fc.constant('confirm' as const), at }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('deliver' as const), at, count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('replicate' as const), at }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('cut' as const, 'isolate' as const, 'restart' as const), at }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('heal' as const), at }) },
  { weight: 1, arbitrary: fc.constant({ t: 'healAll' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('election' as const), on: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('publishFault' as const), at, fault: fc.constantFrom<PublishFault>('lose-request', 'lose-reply', 'lose-reply-then-cut', 'election-after-ack') }),
  },
  { weight: 5, arbitrary: fc.record({ t: fc.constantFrom('drop' as const, 'duplicate' as const, 'reorder' as const), at, index }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delay' as const), at, index, ms: fc.integer({ min: 1, max: 8 }).map((n) => n * STEP_MS) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(60_000, DAY_MS, 8 * DAY_MS, 31 * DAY_MS, 91 * DAY_MS) }) },
);

// A region cut off from the stream's quorum (cut first if it was not) handed a change the stream does not keep.
const rogueStep: fc.Arbitrary<Step> = fc.record({ t: fc.constant('rogue' as const), at, key: index });

/** `rogue`: schedules also hand cut-off regions changes the stream never keeps (rogue-delivery.ts). */
export function scheduleArbitrary(maxSteps: number, rogue = false): fc.Arbitrary<Schedule> {
  const step = rogue ? fc.oneof({ weight: 19, arbitrary: stepArbitrary }, { weight: 1, arbitrary: rogueStep }) : stepArbitrary;
  return fc.record({
    regionCount: fc.integer({ min: 3, max: 5 }),
    maxMsgsPerSubject: fc.integer({ min: 1, max: 4 }),
    steps: fc.array(step, { minLength: 1, maxLength: maxSteps, size: 'max' }),
  });
}

export function newWorld(schedule: Schedule): SimWorld {
  return new SimWorld(worldConfig(schedule.regionCount, { maxMsgsPerSubject: schedule.maxMsgsPerSubject }));
}

function regionAt(world: SimWorld, i: number): string {
  return world.config.regions[i % world.config.regions.length]!;
}

function pinnedRegions(world: SimWorld, mask: number, creator: string, withCreator: boolean): string[] | null {
  const chosen = world.config.regions.filter((_, i) => (mask & (1 << i)) !== 0);
  const regions = withCreator && !chosen.includes(creator) ? [...chosen, creator] : chosen;
  return regions.length === 0 ? null : regions;
}

function runClientStep(world: SimWorld, step: Step): boolean {
  const key = (i: number): string | undefined => world.knownKeys[i % Math.max(1, world.knownKeys.length)];
  switch (step.t) {
    case 'create': {
      const region = regionAt(world, step.at);
      createKey(world, region, pinnedRegions(world, step.pin, region, step.withCreator));
      return true;
    }
    case 'command': {
      const keyId = key(step.key);
      const readFrom = step.readFrom === null ? null : regionAt(world, step.readFrom);
      const options = { name: step.name, regionArg: regionAt(world, step.arg), readFrom, syncFirst: step.sync };
      if (keyId !== undefined) keyCommand(world, regionAt(world, step.at), keyId, options);
      return true;
    }
    case 'encrypt': {
      const keyId = key(step.key);
      if (keyId !== undefined) encrypt(world, regionAt(world, step.at), keyId);
      return true;
    }
    case 'decrypt': decrypt(world, regionAt(world, step.at), step.ct); return true;
    case 'sweep': sweep(world, regionAt(world, step.at)); return true;
    case 'retry': world.retryable[step.op % Math.max(1, world.retryable.length)]?.retry(world, regionAt(world, step.at)); return true;
    default: return false;
  }
}

function runFaultStep(world: SimWorld, step: Step): void {
  const net = world.network;
  switch (step.t) {
    case 'pull': world.pull(regionAt(world, step.at)); break;
    case 'watchdog': world.watchdog(regionAt(world, step.at)); break;
    case 'confirm': world.confirm(regionAt(world, step.at)); break;
    case 'rogue': {
      // The region's own server loses the quorum (the node's link with it) and hands over a change the stream never keeps.
      const region = regionAt(world, step.at);
      if (net.reachable(region) && world.stream.available) net.cut(region);
      world.refreshQuorum();
      world.rogueDelivery(region, step.key);
      break;
    }
    case 'deliver': world.deliver(regionAt(world, step.at), step.count); break;
    case 'replicate': world.replicate(regionAt(world, step.at)); break;
    case 'cut': net.cut(regionAt(world, step.at)); break;
    case 'isolate': net.isolate(regionAt(world, step.at)); break;
    case 'heal': net.heal(regionAt(world, step.at)); break;
    case 'restart': world.restart(regionAt(world, step.at)); break;
    case 'healAll': net.healAll(); break;
    case 'election': net.setElecting(step.on); break;
    case 'publishFault': net.armPublishFault(regionAt(world, step.at), step.fault); break;
    case 'drop': net.drop(regionAt(world, step.at), step.index); break;
    case 'duplicate': net.duplicate(regionAt(world, step.at), step.index); break;
    case 'reorder': net.reorder(regionAt(world, step.at), step.index); break;
    case 'delay': net.delay(regionAt(world, step.at), step.index, step.ms, world.nowMs); break;
    case 'tick': world.advance(step.ms); break;
    default: break;
  }
  world.refreshQuorum();
}

/** Runs the steps in order, observing every region after each. */
export function runSteps(world: SimWorld, steps: readonly Step[]): void {
  for (const step of steps) {
    world.step += 1;
    world.advance(STEP_MS);
    if (!runClientStep(world, step)) runFaultStep(world, step);
    world.observe();
  }
}

/** One line per step, for a failing run's report. */
export function describeSchedule(schedule: Schedule): string {
  const header = `regions=${schedule.regionCount} maxMsgsPerSubject=${schedule.maxMsgsPerSubject}`;
  return [header, ...schedule.steps.map((s, i) => `  ${i + 1}. ${JSON.stringify(s)}`)].join('\n');
}
