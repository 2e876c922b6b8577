// The till's camera: the rear camera of a tablet, why it cannot be used (in words the cashier can act
// on), and its torch where the device has one.

/** Why the camera cannot scan. */
export type CameraProblem = 'insecure' | 'denied' | 'none' | 'busy' | 'failed';

/** A problem known before asking for the camera: browsers give `getUserMedia` to secure origins only. */
export function cameraProblemBeforeAsking(): CameraProblem | null {
  if (!window.isSecureContext) return 'insecure';
  if (!navigator.mediaDevices?.getUserMedia) return 'none';
  return null;
}

/** The camera facing away from the cashier where there is one (tablets), else whichever there is (laptops). */
export function openRearCamera(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
}

/** What a failed `getUserMedia` means for the cashier. */
export function cameraProblemOf(error: unknown): CameraProblem {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'none';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

/** Whether the track can switch a torch on (Chrome on Android reports it in its capabilities). */
export function hasTorch(track: MediaStreamTrack | undefined): boolean {
  if (!track || typeof track.getCapabilities !== 'function') return false;
  return (track.getCapabilities() as MediaTrackCapabilities & { torch?: boolean }).torch === true;
}

export function setTorch(track: MediaStreamTrack, on: boolean): Promise<void> {
  return track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
}

/** Switches the camera off: its light goes out and another app may use it. */
export function stopCamera(stream: MediaStream | null) {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
