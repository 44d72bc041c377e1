// The page's entry: the host's configuration (window.campaignsEditor, see auth.ts) or the
// defaults (the gateway on this page's origin, no credentials), then the editor.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createGateway } from './api';
import { App } from './App';
import { hostConfig } from './auth';
import { LIMITS } from './limits';
import './styles.css';

const host = hostConfig();
const gateway = createGateway({
  ...(host.endpoint ? { endpoint: host.endpoint } : {}),
  ...(host.getAccessToken ? { getAccessToken: host.getAccessToken } : {}),
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App gateway={gateway} limits={LIMITS} />
  </StrictMode>,
);
