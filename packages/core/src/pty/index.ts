// PTYs: a process on a pseudo-terminal, a tmux client attached on one, and the
// watermark gate that keeps a slow reader from growing a buffer without bound.
export { attachTmuxPty, spawnPty, type AttachTmuxOptions, type PtyExit, type PtyProcess, type SpawnPtyOptions } from './pty.js';
export { createFlowGate, type FlowGate, type Watermarks } from './flow-control.js';
