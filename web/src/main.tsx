import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ConfigError, readSupabaseConfig } from "./lib/supabase";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

try {
  readSupabaseConfig();
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  root.render(
    <main className="page page-narrow">
      <div className="alert alert-error" role="alert">
        <div className="alert-body">
          <p className="alert-title">The app is not configured</p>
          <p>{error.message}</p>
        </div>
      </div>
    </main>,
  );
}
