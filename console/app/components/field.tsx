import type { ComponentChildren } from 'preact';

/** One labelled value of a record (a `<dl class="metadata">`'s entry). */
export const Field = ({ label, children }: { label: string; children: ComponentChildren }) => (
  <div class="field">
    <dt>{label}</dt>
    <dd>{children}</dd>
  </div>
);
