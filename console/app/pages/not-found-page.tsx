import { PageHeading } from '../components/page-heading';
import { href } from '../router';
import type { PageProps } from '../routes';

export const NotFoundPage = ({ path }: PageProps) => (
  <>
    <PageHeading title="Not found" />
    <p>
      The console has no page at <code>{path}</code>. <a href={href('/documents')}>Go to the documents</a>.
    </p>
  </>
);
