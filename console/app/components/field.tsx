import type { ComponentChildren } from 'preact';
import { Time } from './time';

/** One labelled value of a record (a `<dl class="metadata">`'s entry). */
export const Field = ({ label, children }: { label: string; children: ComponentChildren }) => (
  <div class="field">
    <dt>{label}</dt>
    <dd>{children}</dd>
  </div>
);

/** A labelled time, left out where the record has none (a run not started yet, a document not deleted). */
export const TimeField = ({ label, iso }: { label: string; iso: string | undefined }) =>
  iso ? (
    <Field label={label}>
      <Time iso={iso} />
    </Field>
  ) : null;
