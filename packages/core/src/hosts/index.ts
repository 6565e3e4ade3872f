// Hosts: other machines running rdv, joined over OpenSSH (one `ssh -N` link per host,
// forwarding its api.sock and terminal.sock), with their state and their events.
export { createHostService, type HostService, type HostServiceDeps } from './service.js';
export { openHostLink, type HostLink, type LinkOptions, type LinkStatus } from './link.js';
export { followRemoteEvents, remoteRequest, RemoteEventSchema, RemoteHealthSchema, type RemoteEvent, type RemoteEventStream } from './remote.js';
export { askRemoteHome, linkArgv, localSockets, sshOptions, type SshSettings, type SshTarget } from './ssh.js';
