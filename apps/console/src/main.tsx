import { createRoot } from 'react-dom/client';
import { loadConfig } from './api';
import { App } from './App';
import './styles.css';

void loadConfig()
  .catch(() => undefined)
  .then(() => createRoot(document.getElementById('root')!).render(<App />));
