import { useSearchParams } from "@remix-run/react";
import { Select } from "@shopify/polaris";

/**
 * "Applies to": the shop-wide default or one location's override, for a settings form. Choosing
 * reloads the page for that location (?location=), so the form shows what applies there.
 */
export function LocationScopeSelect(props: {
  locations: Array<{ externalId: string; name: string }>;
  value: string;
  error?: string;
}) {
  const [, setSearchParams] = useSearchParams();
  return (
    <Select
      label="Applies to"
      name="locationExternalId"
      options={[
        { label: "All locations (default)", value: "" },
        ...props.locations.map((l) => ({ label: l.name, value: l.externalId })),
      ]}
      value={props.value}
      onChange={(value) => setSearchParams(value ? { location: value } : {})}
      error={props.error}
    />
  );
}
