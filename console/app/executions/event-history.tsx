import type { HistoryEvent } from '../../shared/api';
import { Time } from '../components/time';
import { formatDuration } from '../format';
import { prettyJson } from './state-details';

/** The `…EventDetails` of an event, and the state it names (an Entered or Exited event names one). */
const detailsOf = (event: HistoryEvent): Record<string, unknown> | undefined => {
  for (const [field, value] of Object.entries(event)) {
    if (field.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      return value as Record<string, unknown>;
    }
  }
  return undefined;
};

/** Each event's step: the state it is about, found as Step Functions threads events (`previousEventId`). */
const stepsOf = (events: readonly HistoryEvent[]): Map<number, string> => {
  const byId = new Map(events.map((event) => [event.id, event]));
  const steps = new Map<number, string>();
  const stepOf = (event: HistoryEvent): string | undefined => {
    const known = steps.get(event.id);
    if (known !== undefined) return known;
    const name = detailsOf(event)?.name;
    if (typeof name === 'string' && event.type.includes('State')) return name;
    if (event.type.startsWith('Execution')) return undefined;
    const previous = event.previousEventId === undefined ? undefined : byId.get(event.previousEventId);
    if (!previous || previous.type.endsWith('StateExited')) return undefined;
    return stepOf(previous);
  };
  for (const event of events.toSorted((left, right) => left.id - right.id)) {
    const step = stepOf(event);
    if (step !== undefined) steps.set(event.id, step);
  }
  return steps;
};

/** Event details as text: JSON members that hold JSON text (input, output, cause) are expanded. */
const detailsText = (details: Record<string, unknown>): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(details).map(([name, value]) => {
        if (typeof value !== 'string') return [name, value];
        const pretty = prettyJson(value);
        return [name, pretty === value ? value : JSON.parse(value)];
      }),
    ),
    null,
    2,
  );

const FAILURE = /(Failed|TimedOut|Aborted)$/;

/**
 * The execution's events as the Step Functions console lists them: id, type, step, time since the
 * start, and the date; each event's details (input, output, error, cause) open below it.
 */
export const EventHistory = ({ events }: { events: readonly HistoryEvent[] }) => {
  const steps = stepsOf(events);
  const start = Date.parse(events[0]?.timestamp ?? '');
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard
    <section class="table-scroll" tabIndex={0} aria-label="Event history, scrollable">
      <table class="documents events">
        <caption class="visually-hidden">Event history, oldest first</caption>
        <thead>
          <tr>
            <th scope="col" class="numeric">
              ID
            </th>
            <th scope="col">Type</th>
            <th scope="col">Step</th>
            <th scope="col" class="numeric">
              Started after
            </th>
            <th scope="col">Date and time</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const details = detailsOf(event);
            const hasDetails = details !== undefined && Object.keys(details).length > 0;
            const after = Date.parse(event.timestamp) - start;
            return (
              <tr key={event.id} class={FAILURE.test(event.type) ? 'event-failure' : undefined}>
                <td class="numeric" data-label="ID">
                  {event.id}
                </td>
                <td data-label="Type" class="event-type">
                  {hasDetails ? (
                    <details>
                      <summary>{event.type}</summary>
                      <pre class="data">{detailsText(details)}</pre>
                    </details>
                  ) : (
                    event.type
                  )}
                </td>
                <td data-label="Step" class={steps.has(event.id) ? 'break' : 'missing'}>
                  {steps.get(event.id) ?? <span class="muted">–</span>}
                </td>
                <td data-label="Started after" class="numeric nowrap">
                  {Number.isFinite(after) ? formatDuration(after) : '–'}
                </td>
                <td data-label="Date and time" class="nowrap">
                  <Time iso={event.timestamp} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
};
