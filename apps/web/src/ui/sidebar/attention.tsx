'use client';
import { useUi } from '../app-context';
import { CheckIcon } from '../icons';
import { insightKind } from '../state/model';

function ago(iso: string | null): string {
  if (!iso) return '';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** What the list says when it is empty: nothing needs you, or nothing is watching. */
function EmptyAttention() {
  const ui = useUi();
  const m = ui.state.monitoring;
  if (m && !m.on) {
    return (
      <p className="quiet monitoring-off">
        Monitoring is off: rdv is not watching your agents.{' '}
        {m.orchestratorId && (
          <button type="button" className="link-button" onClick={() => void ui.actions.setMonitoring(m.orchestratorId!, true)}>
            Turn it on
          </button>
        )}
      </p>
    );
  }
  return <p className="quiet">Nothing needs you right now.</p>;
}

/** Sessions that need a person, from orchestrator insights; says so when monitoring is off. */
export function AttentionList() {
  const ui = useUi();
  const { insights, sessions } = ui.state;
  const items = insights
    .map((i) => ({ insight: i, session: sessions.find((s) => s.id === i.sessionId) }))
    .filter((x) => x.session)
    .sort((a, b) => (b.insight.createdAt ?? '').localeCompare(a.insight.createdAt ?? ''));
  return (
    <section className="attention" aria-label="Needs your attention">
      <h3 className="section-title">
        Needs you{items.length > 0 && <span className="badge">{items.length}</span>}
      </h3>
      {items.length === 0 ? (
        <EmptyAttention />
      ) : (
        <ul>
          {items.map(({ insight, session }) => (
            <li key={insight.id} className="attention-item">
              <div className="attention-row">
                <button type="button" className="attention-open" onClick={() => ui.select(session!.id)}>
                  <span className={`dot ${insightKind(insight.type)}`} />
                  <span className="row-text">
                    <span className="row-name">{session!.name}</span>
                    <span className="row-detail" title={insight.message}>
                      {insight.message || insight.type.replace(/_/g, ' ')}
                      {insight.createdAt && ` · ${ago(insight.createdAt)}`}
                    </span>
                  </span>
                </button>
                <button type="button" className="icon-button" title="Mark as handled" aria-label={`Mark ${session!.name} as handled`} onClick={() => void ui.actions.resolveInsight(insight.id)}>
                  <CheckIcon />
                </button>
              </div>
              {insight.actions.length > 0 && (
                <div className="attention-actions">
                  {insight.actions.slice(0, 3).map((a) => (
                    <button key={a.id} type="button" className="button small" onClick={() => void ui.actions.replyToInsight(insight, a)}>
                      {a.label}
                    </button>
                  ))}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
