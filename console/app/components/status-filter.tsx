/** A list's status filter: "Any" (the empty value) or one of the API's statuses. */
export const StatusFilter = ({
  value,
  statuses,
  onChange,
}: {
  value: string;
  statuses: readonly string[];
  onChange: (status: string) => void;
}) => (
  <label>
    Status
    <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
      <option value="">Any</option>
      {statuses.map((status) => (
        <option key={status} value={status}>
          {status}
        </option>
      ))}
    </select>
  </label>
);
