'use client';
import { CreateHostSchema, type CreateHost } from '@rdv/core/schemas';
import { useState } from 'react';
import { useUi } from '../app-context';
import { hostDetail } from '../sidebar/hosts';
import { Dialog, DialogButtons, useSubmit } from './dialog';

/**
 * Adds a machine running rdv: its ssh destination and a CLI token of its owner (made there
 * with `rdv token create`). The token goes to the api once and is never shown again.
 */
export function AddHostDialog(props: { onClose: () => void }) {
  const { api, toast } = useUi();
  const [name, setName] = useState('');
  const [destination, setDestination] = useState('');
  const [port, setPort] = useState('');
  const [identityFile, setIdentityFile] = useState('');
  const [remoteHome, setRemoteHome] = useState('');
  const [token, setToken] = useState('');

  const { busy, error, onSubmit } = useSubmit(async () => {
    const input = {
      name: name.trim(),
      destination: destination.trim(),
      token: token.trim(),
      ...(port.trim() ? { port: Number(port.trim()) } : {}),
      ...(identityFile.trim() ? { identityFile: identityFile.trim() } : {}),
      ...(remoteHome.trim() ? { remoteHome: remoteHome.trim() } : {}),
    };
    const parsed = CreateHostSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${issue?.path.join('.') || 'input'} ${issue?.message ?? 'is not valid'}`);
    }
    const body: CreateHost = parsed.data;
    const host = await api.POST('/api/hosts', { body });
    const tested = await api.POST('/api/hosts/{id}/test', { params: { path: { id: host.id } } });
    toast(`${tested.name}: ${hostDetail(tested)}`);
    props.onClose();
  });

  return (
    <Dialog title="Add a machine" onClose={props.onClose}>
      <form onSubmit={onSubmit} className="add-host-form">
        <p className="quiet">Another machine running rdv, reached over ssh. Its sessions show up here beside this machine&apos;s.</p>
        <label className="field">
          <span>Name</span>
          <input data-autofocus value={name} onChange={(e) => setName(e.target.value)} placeholder="box2" required maxLength={64} />
        </label>
        <label className="field">
          <span>SSH destination</span>
          <input value={destination} onChange={(e) => setDestination(e.target.value)} placeholder="you@box2.lan" required spellCheck={false} autoCapitalize="off" />
        </label>
        <label className="field">
          <span>Port</span>
          <input value={port} onChange={(e) => setPort(e.target.value)} placeholder="22" inputMode="numeric" />
        </label>
        <label className="field">
          <span>Identity file</span>
          <input value={identityFile} onChange={(e) => setIdentityFile(e.target.value)} placeholder="ssh's own keys" spellCheck={false} autoCapitalize="off" />
        </label>
        <label className="field">
          <span>rdv home there</span>
          <input value={remoteHome} onChange={(e) => setRemoteHome(e.target.value)} placeholder="~/.remote-dev" spellCheck={false} autoCapitalize="off" />
        </label>
        <label className="field">
          <span>Token</span>
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" spellCheck={false} />
          <small>A CLI token of that machine&apos;s owner: run <code>rdv token create this-machine</code> there. It is kept encrypted and never shown again.</small>
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <DialogButtons busy={busy} submit="Add machine" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
