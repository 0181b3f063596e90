import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { AppProvider } from './app/provider';
import { RuntimeConfigGate } from './app/runtime-config-gate';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

createRoot(root).render(
  <StrictMode>
    <AppProvider>
      <RuntimeConfigGate>
        <App />
      </RuntimeConfigGate>
    </AppProvider>
  </StrictMode>,
);
