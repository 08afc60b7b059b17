import { useId } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { useWorkspace } from "./WorkspaceProvider";

/** A select of the user's workspaces (just the name when there is only one). */
export function WorkspaceSwitcher() {
  const { workspaces, current, setCurrent } = useWorkspace();
  const id = useId();
  const navigate = useNavigate();
  const location = useLocation();

  if (workspaces.length < 2) {
    return (
      // Truncated to keep the top bar one row: the full name is the tooltip.
      <span className="workspace-name" title={current.name}>
        {current.name}
      </span>
    );
  }

  return (
    <div className="workspace-switcher">
      <label htmlFor={id} className="visually-hidden">
        Workspace
      </label>
      <select
        id={id}
        className="select"
        title={current.name}
        value={current.id}
        onChange={(event) => {
          setCurrent(event.target.value);
          // A record of the old workspace is not part of the new one: go to the section's list.
          const section = location.pathname.split("/")[1];
          if (section === "accounts" || section === "jobs") navigate(`/${section}`);
        }}
      >
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
    </div>
  );
}
