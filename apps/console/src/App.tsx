import { useEffect, useState } from 'react';
import { ConnectorPage, Connectors } from './pages/connectors';
import { GroupPage, Groups } from './pages/groups';
import { Overview } from './pages/overview';
import { Schemas, SubjectPage } from './pages/schemas';
import { TopicPage, Topics } from './pages/topics';

const PAGES = [
  ['#/', 'Overview'],
  ['#/topics', 'Topics'],
  ['#/groups', 'Consumer groups'],
  ['#/connectors', 'Connectors'],
  ['#/schemas', 'Schemas'],
] as const;

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = (): void => setHash(location.hash || '#/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function route(hash: string) {
  const [, section, rest] = /^#\/([^/]*)\/?(.*)$/.exec(hash) ?? [];
  const arg = rest ? decodeURIComponent(rest) : '';
  switch (section) {
    case 'topics':
      return arg ? <TopicPage name={arg} /> : <Topics />;
    case 'groups':
      return arg ? <GroupPage id={arg} /> : <Groups />;
    case 'connectors':
      return arg ? <ConnectorPage name={arg} /> : <Connectors />;
    case 'schemas':
      return arg ? <SubjectPage subject={arg} /> : <Schemas />;
    default:
      return <Overview />;
  }
}

export function App() {
  const hash = useHash();
  return (
    <>
      <header>
        <h1>Millrace</h1>
        <nav>
          {PAGES.map(([href, label]) => (
            <a key={href} href={href} className={hash === href || (href !== '#/' && hash.startsWith(href)) ? 'active' : ''}>{label}</a>
          ))}
        </nav>
      </header>
      <main>{route(hash)}</main>
    </>
  );
}
