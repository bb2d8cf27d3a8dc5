/**
 * Polaris inputs that keep their own state and submit through a plain <Form>: for settings pages
 * whose fields are many and whose initial values come from the loader (remount with a new key
 * to reset them after a save).
 */
import { Select, TextField } from "@shopify/polaris";
import { useState } from "react";

export function TextInput(props: {
  name: string;
  label: string;
  initial: string;
  error?: string;
  type: "number" | "text" | "password";
  help?: string;
}) {
  const [value, setValue] = useState(props.initial);
  return (
    <TextField
      name={props.name}
      label={props.label}
      type={props.type}
      value={value}
      onChange={setValue}
      error={props.error}
      helpText={props.help}
      // A password field here is a new secret (a manager's PIN), never one to fill in.
      autoComplete={props.type === "password" ? "new-password" : "off"}
    />
  );
}

export function ChoiceInput(props: {
  name: string;
  label: string;
  initial: string;
  options: { label: string; value: string }[];
}) {
  const [value, setValue] = useState(props.initial);
  return <Select name={props.name} label={props.label} options={props.options} value={value} onChange={setValue} />;
}
