import { AppError } from '../errors/index.js';

export interface Watermarks {
  /** Pause when the backlog grows above this many bytes. */
  highBytes: number;
  /** Resume when it has drained to this many bytes or fewer. */
  lowBytes: number;
}

export interface FlowGate {
  readonly paused: boolean;
  /** Reports the consumer's current backlog; calls onPause/onResume on a crossing. */
  update(backlogBytes: number): void;
}

/**
 * Hysteresis between two watermarks: `onPause` once the backlog passes `highBytes`,
 * `onResume` once it falls to `lowBytes`. Never calls either twice in a row.
 */
export function createFlowGate(watermarks: Watermarks, onPause: () => void, onResume: () => void): FlowGate {
  if (!(watermarks.lowBytes >= 0 && watermarks.highBytes > watermarks.lowBytes)) {
    throw new AppError('invalid_input', 'watermarks: need 0 <= lowBytes < highBytes');
  }
  let paused = false;
  return {
    get paused() {
      return paused;
    },
    update(backlogBytes) {
      if (!paused && backlogBytes > watermarks.highBytes) {
        paused = true;
        onPause();
      } else if (paused && backlogBytes <= watermarks.lowBytes) {
        paused = false;
        onResume();
      }
    },
  };
}
