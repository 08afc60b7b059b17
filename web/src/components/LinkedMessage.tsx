import { Fragment } from "react";
import { Link } from "react-router-dom";

/** Where messages from the server send the user to fix the Apollo key ("Add a key in Settings → API"). */
export const SETTINGS_PATH = "/workspace/settings/api";
const SETTINGS_MENTION = /Settings (?:→|->) API/g;

/** A message from the server, with its mentions of "Settings → API" as links to that page. */
export function LinkedMessage({ text }: { text: string }) {
  const parts = text.split(SETTINGS_MENTION);
  if (parts.length === 1) return <>{text}</>;
  const mentions = text.match(SETTINGS_MENTION) ?? [];
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {part}
          {index < mentions.length ? <Link to={SETTINGS_PATH}>Settings → API</Link> : null}
        </Fragment>
      ))}
    </>
  );
}
