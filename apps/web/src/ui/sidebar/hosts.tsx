'use client';
import type { Host } from '@rdv/core/schemas';
import type { MouseEvent } from 'react';
import { useUi, type Ui } from '../app-context';
import { DotsIcon, PlusIcon } from '../icons';
import type { MenuItem } from '../menu';
import { messageOf } from '../state/actions';

/** One line about a host's link: connected with its latency and version, or why not. */
export function hostDetail(h: Host): string {
  if (h.state === 'connected') {
    const version = h.version ? ` · rdv ${h.version}${h.versionMatches === false ? ' (another version)' : ''}` : '';
    return `connected${h.latencyMs !== null ? ` · ${Math.round(h.latencyMs)} ms` : ''}${version}`;
  }
  return h.lastError ? `${h.state}: ${h.lastError}` : h.state;
}

function hostMenu(ui: Ui, h: Host): MenuItem[] {
  return [
    {
      label: 'Reconnect now',
      onSelect: () =>
        void ui.api.POST('/api/hosts/{id}/test', { params: { path: { id: h.id } } }).then(
          (t) => ui.toast(`${t.name}: ${hostDetail(t)}`),
          (err: unknown) => ui.toast(`Could not test ${h.name}: ${messageOf(err)}`),
        ),
    },
    {
      label: 'Remove…',
      danger: true,
      separated: true,
      onSelect: () =>
        ui.show({
          kind: 'confirm',
          title: `Remove “${h.name}”?`,
          message: 'Its link ends and its token is forgotten here. Its sessions keep running on that machine.',
          submit: 'Remove',
          danger: true,
          onConfirm: async () => void (await ui.api.DELETE('/api/hosts/{id}', { params: { path: { id: h.id } } })),
        }),
    },
  ];
}

/** Other machines running rdv: each with the state of its link; add one with +. */
export function HostsSection() {
  const ui = useUi();
  const hosts = ui.state.hosts;
  const open = (e: MouseEvent, h: Host) => {
    e.preventDefault();
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const at = e.type === 'contextmenu' ? { x: e.clientX, y: e.clientY } : { x: r.right - 4, y: r.bottom + 2 };
    ui.openMenu({ ...at, items: hostMenu(ui, h), label: `${h.name} actions` });
  };
  return (
    <section className="hosts" aria-label="Machines">
      <h3 className="section-title with-action">
        Machines
        <button type="button" className="icon-button small" title="Add a machine running rdv (over ssh)" aria-label="Add a machine" onClick={() => ui.show({ kind: 'addHost' })}>
          <PlusIcon />
        </button>
      </h3>
      {hosts.length > 0 && (
        <ul className="host-list">
          {hosts.map((h) => (
            <li key={h.id} className={`row host-row state-${h.state}`} title={`${h.destination}${h.port ? ` port ${h.port}` : ''}\n${hostDetail(h)}`} onContextMenu={(e) => open(e, h)}>
              <span className={`dot host-${h.state}`} aria-hidden />
              <span className="row-text">
                <span className="row-name">{h.name}</span>
                <span className="row-detail">{hostDetail(h)}</span>
              </span>
              <button type="button" className="icon-button row-more" aria-label={`${h.name} actions`} onClick={(e) => open(e, h)}>
                <DotsIcon />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
