import type { Config } from '../../config/schema';
import { DeliveryStats } from '../../engine/delivery-stats';
import type { Clock } from '../../ports/clock';
import type { ReleaseStore } from '../../ports/release-store';
import { figureLines } from '../blocks/stats-reply';
import type { DoraLines } from './team-view-model';

/** The Home tab's period: the one `/deploy stats` answers for unless told otherwise. */
const HOME_DAYS = 30;

/** The team's DORA figures over the last 30 days, as the Home tab shows them (the same lines as `/deploy stats`). */
export async function homeDoraLines(config: Config, store: ReleaseStore, clock: Clock): Promise<DoraLines> {
  const answer = await new DeliveryStats({ config, store, clock }).figures({ days: HOME_DAYS });
  return {
    title: `Delivery, last ${HOME_DAYS} days (all apps; \`/deploy stats\` for more)`,
    lines: figureLines(answer),
  };
}
